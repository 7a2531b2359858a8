"""Demo data: the DOMAIN.md outline. Real: OSAPG, DC-Cam, MoEYS, the 2024 MoU. The rest is demo.

Every object is looked up by a natural key before it is created, and a cohort's people are only
generated when the cohort itself is new, so running the seed again changes nothing.
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from partners.models import (
    Agreement,
    AgreementKind,
    AgreementParty,
    AgreementStatus,
    Contact,
    Partner,
    PartnerKind,
    PartyRole,
)
from pilots import data_version
from pilots.choices import (
    CohortKind,
    CohortStatus,
    Country,
    Language,
    SessionMode,
)
from pilots.models import (
    Cohort,
    CountryAssignment,
    Module,
    Programme,
    Session,
)
from pilots.roles import COORDINATORS, PROGRAMME_STAFF

from .open_cohorts import seed_open_cohorts
from .people import PeopleMaker
from .translations import translate_demo_content

PROGRAMME_NAME = "Atrocity Crimes Prevention through Education, 2020-2024 pilots"

MODULES = [
    ("M1", "Definitions of atrocity crimes", 4, "Genocide, crimes against humanity and war crimes."),
    ("M2", "Risk factors", 4, "The 14 risk factors of the UN Framework of Analysis (2014)."),
    ("M3", "Hate speech", 3, "The UN Strategy and Plan of Action on Hate Speech (2019)."),
    ("M4", "Cambodia 1975-1979", 6, "The Democratic Kampuchea regime and its crimes."),
    ("M5", "Nazi Germany and Rwanda", 4, "Comparative case studies."),
    ("M6", "Pedagogy", 5, "Scaffolded reading, survivor stories, debate, guest speakers."),
    ("M7", "Preserving the historical record", 3, "Documentation and archives."),
    ("M8", "Capstone", 6, "Teachers design and present a lesson."),
]

# Clearly fictional people, in their own scripts (demo). (native, Latin)
NATIONAL_COHORTS = [
    (Country.CAMBODIA, 2023, 30, 28, dt.date(2023, 3, 13)),
    (Country.CAMBODIA, 2024, 30, 30, dt.date(2024, 3, 11)),
    (Country.THAILAND, 2023, 30, 25, dt.date(2023, 7, 17)),
    (Country.THAILAND, 2024, 30, 27, dt.date(2024, 7, 15)),
    (Country.VIETNAM, 2023, 30, 26, dt.date(2023, 10, 9)),
    (Country.VIETNAM, 2024, 30, 29, dt.date(2024, 10, 7)),
]

DEMO_ACCOUNTS = [
    # username, first name, role, countries
    ("admin", "Admin", "admin", []),
    ("staff", "Programme", "staff", []),
    ("coordinator-kh", "Cambodia", "coordinator", [Country.CAMBODIA]),
    ("coordinator-th", "Thailand", "coordinator", [Country.THAILAND]),
    ("coordinator-vn", "Vietnam", "coordinator", [Country.VIETNAM]),
]
DEMO_PASSWORD = "pilots-demo-2024"


def seed_partners():
    osapg, _ = Partner.objects.get_or_create(
        name="Office of the Special Adviser on the Prevention of Genocide",
        defaults={"acronym": "OSAPG", "kind": PartnerKind.UN_OFFICE, "city": "New York",
                  "website": "https://www.un.org/en/genocide-prevention"},
    )
    dccam, _ = Partner.objects.get_or_create(
        name="Documentation Center of Cambodia",
        defaults={"acronym": "DC-Cam", "kind": PartnerKind.NGO, "country": "KH", "city": "Phnom Penh",
                  "name_local": "មជ្ឈមណ្ឌលឯកសារកម្ពុជា", "website": "https://dccam.org",
                  "description": "Founded in 1995; preserves the record of the Khmer Rouge regime."},
    )
    moeys, _ = Partner.objects.get_or_create(
        name="Ministry of Education, Youth and Sport",
        defaults={"acronym": "MoEYS", "kind": PartnerKind.MINISTRY, "country": "KH", "city": "Phnom Penh",
                  "name_local": "ក្រសួងអប់រំ យុវជន និងកីឡា"},
    )
    th_ministry, _ = Partner.objects.get_or_create(
        name="Ministry of Education (Thailand)",
        defaults={"acronym": "MOE-TH", "kind": PartnerKind.MINISTRY, "country": "TH", "city": "Bangkok",
                  "name_local": "กระทรวงศึกษาธิการ", "description": "Demo role in the pilots."},
    )
    vn_ministry, _ = Partner.objects.get_or_create(
        name="Ministry of Education and Training (Vietnam)",
        defaults={"acronym": "MOET", "kind": PartnerKind.MINISTRY, "country": "VN", "city": "Hà Nội",
                  "name_local": "Bộ Giáo dục và Đào tạo", "description": "Demo role in the pilots."},
    )
    Contact.objects.get_or_create(
        partner=dccam, name="Youk Chhang", defaults={"role": "Executive Director", "is_primary": True}
    )
    Contact.objects.get_or_create(
        partner=osapg, name="Alice Wairimu Nderitu",
        defaults={"role": "Special Adviser on the Prevention of Genocide (at signing)", "is_primary": True},
    )

    mou, _ = Agreement.objects.get_or_create(
        title="Memorandum of Understanding between OSAPG and DC-Cam on prevention education",
        defaults={
            "kind": AgreementKind.MOU, "status": AgreementStatus.SIGNED,
            "signed_on": dt.date(2024, 11, 5), "signed_city": "Kigali", "signed_country": "RW",
            "effective_from": dt.date(2024, 11, 5),
            "themes": "Prevention education\nPreserving the historical record of Khmer Rouge crimes "
                      "(1975-1979)\nCountering hate speech",
            "summary": "Carries forward the education programme the two offices built from 2020.",
        },
    )
    AgreementParty.objects.get_or_create(
        agreement=mou, partner=osapg,
        defaults={"role": PartyRole.SIGNATORY, "signatory_name": "Alice Wairimu Nderitu",
                  "signatory_title": "Special Adviser on the Prevention of Genocide"},
    )
    AgreementParty.objects.get_or_create(
        agreement=mou, partner=dccam,
        defaults={"role": PartyRole.SIGNATORY, "signatory_name": "Youk Chhang",
                  "signatory_title": "Executive Director"},
    )
    letter, _ = Agreement.objects.get_or_create(
        title="Letter of collaboration on teacher training (demo)",
        defaults={"kind": AgreementKind.LETTER_OF_INTENT, "status": AgreementStatus.SIGNED,
                  "signed_on": dt.date(2020, 6, 1), "signed_city": "Phnom Penh", "signed_country": "KH",
                  "effective_from": dt.date(2020, 6, 1), "effective_to": dt.date(2024, 12, 31),
                  "summary": "Demo: the informal start of the collaboration."},
    )
    for partner in (osapg, dccam):
        AgreementParty.objects.get_or_create(agreement=letter, partner=partner)
    return {"osapg": osapg, "dccam": dccam, "moeys": moeys, "TH": th_ministry, "VN": vn_ministry,
            "mou": mou}


def seed_programme(partners):
    programme, created = Programme.objects.get_or_create(
        name=PROGRAMME_NAME,
        defaults={
            "description": "DC-Cam's regional programme for Southeast Asia: a teachers' guidebook of 8 "
                           "lesson plans and 17 activities; competencies of self-reflection, critical "
                           "thinking and empathy.",
            "agreement": partners["mou"],
            "start_date": dt.date(2020, 1, 1),
            "end_date": dt.date(2024, 12, 31),
        },
    )
    if created:
        programme.lead_partners.set([partners["osapg"], partners["dccam"]])
    for order, (code, title, hours, summary) in enumerate(MODULES, start=1):
        Module.objects.get_or_create(
            programme=programme, code=code,
            defaults={"title": title, "planned_hours": hours, "order": order, "summary": summary},
        )
    return programme


def seed_regional_cohort(programme, partners, people):
    """The documented regional train-the-trainer cohort of 20 (split 8/6/6 is demo)."""
    cohort, created = Cohort.objects.get_or_create(
        code="regional-tot-2022",
        defaults={
            "programme": programme, "name": "Regional train-the-trainer cohort 2022", "year": 2022,
            "kind": CohortKind.REGIONAL, "country": "", "language": Language.ENGLISH,
            "venue": "Online, hybrid, then Bangkok", "organiser": partners["dccam"],
            "start_date": dt.date(2022, 6, 15), "end_date": dt.date(2022, 9, 18), "capacity": 20,
            "status": CohortStatus.COMPLETED,
            "description": "A 6-hour virtual workshop on the UN Framework of Analysis for Atrocity "
                           "Crimes, a 3-day hybrid session on history and teaching approaches, and 3 "
                           "days in Bangkok built around a capstone.",
        },
    )
    if not created:
        return cohort
    modules = {m.code: m for m in programme.modules.all()}
    sessions = [
        ("Virtual workshop: the Framework of Analysis", dt.date(2022, 6, 15), (8, 14), "M2", SessionMode.ONLINE),
        ("History of Democratic Kampuchea", dt.date(2022, 8, 9), (8, 16), "M4", SessionMode.HYBRID),
        ("Nazi Germany and Rwanda", dt.date(2022, 8, 10), (8, 16), "M5", SessionMode.HYBRID),
        ("Teaching approaches", dt.date(2022, 8, 11), (8, 16), "M6", SessionMode.HYBRID),
        ("Hate speech and prevention", dt.date(2022, 9, 16), (8, 16), "M3", SessionMode.IN_PERSON),
        ("Preserving the historical record", dt.date(2022, 9, 17), (8, 16), "M7", SessionMode.IN_PERSON),
        ("Capstone presentations", dt.date(2022, 9, 18), (8, 16), "M8", SessionMode.IN_PERSON),
    ]
    Session.objects.bulk_create([
        Session(cohort=cohort, title=title, date=day, starts_at=dt.time(start), ends_at=dt.time(end),
                module=modules[code], mode=mode, venue="Bangkok" if mode == SessionMode.IN_PERSON else "")
        for title, day, (start, end), code, mode in sessions
    ])
    people.populate(cohort, [(Country.CAMBODIA, 8), (Country.THAILAND, 6), (Country.VIETNAM, 6)])
    return cohort


def seed_national_cohorts(programme, partners, people):
    modules = list(programme.modules.all())
    organisers = {Country.CAMBODIA: partners["dccam"], Country.THAILAND: partners["TH"],
                  Country.VIETNAM: partners["VN"]}
    venues = {Country.CAMBODIA: "Phnom Penh", Country.THAILAND: "Bangkok", Country.VIETNAM: "Hà Nội"}
    names = {Country.CAMBODIA: "Cambodia", Country.THAILAND: "Thailand", Country.VIETNAM: "Vietnam"}
    cohorts = []
    for country, year, capacity, teachers, start in NATIONAL_COHORTS:
        cohort, created = Cohort.objects.get_or_create(
            code=f"national-{country.lower()}-{year}",
            defaults={
                "programme": programme, "name": f"National in-service cohort, {names[country]} {year}",
                "year": year, "kind": CohortKind.NATIONAL, "country": country,
                "language": {"KH": Language.KHMER, "TH": Language.THAI, "VN": Language.VIETNAMESE}[country],
                "venue": venues[country], "organiser": organisers[country],
                "start_date": start, "end_date": start + dt.timedelta(days=4), "capacity": capacity,
                "status": CohortStatus.COMPLETED,
            },
        )
        cohorts.append(cohort)
        if not created:
            continue
        Session.objects.bulk_create([
            Session(cohort=cohort, module=module, title=module.title,
                    date=start + dt.timedelta(days=(index // 2)),
                    starts_at=dt.time(8) if index % 2 == 0 else dt.time(13, 30),
                    ends_at=dt.time(11, 30) if index % 2 == 0 else dt.time(16, 30),
                    venue=venues[country])
            for index, module in enumerate(modules)
        ])
        people.populate(cohort, [(country, teachers)])
    return cohorts


def seed_accounts():
    """Demo accounts; with DEBUG off they get random passwords that are never printed."""
    User = get_user_model()
    staff_group = Group.objects.get(name=PROGRAMME_STAFF)
    coordinators = Group.objects.get(name=COORDINATORS)
    created_accounts = []
    for username, first_name, role, countries in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first_name, "last_name": "(demo)", "email": f"{username}@example.org",
                      "is_staff": role in ("admin", "staff"), "is_superuser": role == "admin"},
        )
        if created:
            password = DEMO_PASSWORD if settings.DEBUG else get_random_string(24)
            user.set_password(password)
            user.save(update_fields=["password"])
            created_accounts.append((username, role))
        if role == "staff":
            user.groups.add(staff_group)
            # The demo staff member runs the cohorts still to come or under way, so that "My
            # cohorts" shows work on first sign-in.
            for cohort in Cohort.objects.filter(end_date__gte=timezone.localdate()):
                cohort.team.add(user)
        if role == "coordinator":
            user.groups.add(coordinators)
            for country in countries:
                CountryAssignment.objects.get_or_create(user=user, country=country)
    return created_accounts


@transaction.atomic
def seed_demo(stdout=None):
    partners = seed_partners()
    programme = seed_programme(partners)
    people = PeopleMaker(seed=2024)
    seed_regional_cohort(programme, partners, people)
    seed_national_cohorts(programme, partners, people)
    seed_open_cohorts(programme=programme, stdout=stdout)
    translate_demo_content(programme)
    accounts = seed_accounts()
    # Bulk-created rows: the reports are told, as by every other writer.
    data_version.data_changed()
    return programme, accounts
