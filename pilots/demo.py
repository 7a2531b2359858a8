"""Demo data: the DOMAIN.md outline. Real: OSAPG, DC-Cam, MoEYS, the 2024 MoU. The rest is demo.

Every object is looked up by a natural key before it is created, and a cohort's people are only
generated when the cohort itself is new, so running the seed again changes nothing.
"""

import datetime as dt
import random
import unicodedata
from decimal import Decimal

import phonenumbers
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
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

from .demo_open_cohorts import seed_open_cohorts
from .models import (
    Assessment,
    AssessmentKind,
    Attendance,
    AttendanceStatus,
    Cohort,
    CohortKind,
    CohortStatus,
    Country,
    CountryAssignment,
    Enrolment,
    EnrolmentStatus,
    Gender,
    Language,
    Module,
    NameOrder,
    Programme,
    Province,
    SchoolLevel,
    Session,
    SessionMode,
    Subject,
    Teacher,
)
from .roles import COORDINATORS, PROGRAMME_STAFF

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
KHMER_FAMILY = [("សុខ", "Sok"), ("ចាន់", "Chan"), ("ហេង", "Heng"), ("លី", "Ly"), ("គឹម", "Kim"),
                ("ម៉ៅ", "Mao"), ("កែវ", "Keo"), ("ពៅ", "Pov"), ("ឈិម", "Chhim"), ("សួន", "Suon")]
KHMER_GIVEN = [("សុភា", "Sophea"), ("ដារ៉ា", "Dara"), ("វណ្ណា", "Vanna"), ("សុខា", "Sokha"),
               ("ចន្ទា", "Chanda"), ("រតនា", "Rattana"), ("សំណាង", "Samnang"), ("បុប្ផា", "Bopha"),
               ("វិចិត្រ", "Vichet"), ("ស្រីពៅ", "Sreypov"), ("ពិសិដ្ឋ", "Piseth"), ("មករា", "Makara")]
THAI_FAMILY = [("ศรีสุวรรณ", "Srisuwan"), ("วงศ์ไพบูลย์", "Wongphaibun"), ("ทองประเสริฐ", "Thongprasoet"),
               ("แก้วมณี", "Kaewmanee"), ("บุญมาก", "Boonmak"), ("จันทร์เพ็ญ", "Chanphen"),
               ("รัตนวงศ์", "Rattanawong"), ("สุขเจริญ", "Sukcharoen"), ("พูลสวัสดิ์", "Phunsawat")]
THAI_GIVEN = [("สมชาย", "Somchai"), ("สุดารัตน์", "Sudarat"), ("วิไลวรรณ", "Wilaiwan"),
              ("ประเสริฐ", "Prasoet"), ("กมลชนก", "Kamonchanok"), ("ธนพล", "Thanaphon"),
              ("นภัสสร", "Naphatsorn"), ("อรุณี", "Arunee"), ("พงศกร", "Phongsakon"), ("ศิริพร", "Siriphon")]
THAI_NICKNAMES = ["ต้น", "แอน", "ปุ้ย", "เก่ง", "นุ่น", "ฝน", "บีม", "มิ้นท์"]
VIET_FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Phan"]
VIET_GIVEN = ["Thị Lan", "Văn Minh", "Thị Hương", "Quốc Bảo", "Thu Trang", "Đức Anh", "Ngọc Ánh",
              "Hải Yến", "Văn Hùng", "Thị Mai", "Minh Châu", "Gia Huy"]

SCHOOLS = {
    Country.CAMBODIA: ["Sisowath High School", "Preah Yukanthor High School", "Bak Touk High School",
                       "Kampong Cham Teacher Training Centre"],
    Country.THAILAND: ["Triam Udom Suksa School", "Chiang Mai Wittayalai School",
                       "Khon Kaen Wittayayon School", "Ubon Ratchathani Rajabhat University"],
    Country.VIETNAM: ["Trường THPT Chu Văn An", "Trường THCS Nguyễn Du", "Trường THPT Lê Quý Đôn",
                      "Đại học Sư phạm Hà Nội"],
}
HOST_SUBJECTS = {
    Country.CAMBODIA: ["history", "khmer-literature", "citizen-morality", "geography"],
    Country.THAILAND: ["history", "social-studies", "thai-language"],
    Country.VIETNAM: ["history", "vietnamese-literature", "citizen-morality", "geography"],
}
PHONE_PREFIX = {Country.CAMBODIA: "+85512", Country.THAILAND: "+6681", Country.VIETNAM: "+84912"}

# (country, year, capacity, teachers, start) for the national in-service cohorts (demo).
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


class PeopleMaker:
    """Fictional teachers, deterministic for a given seed."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.provinces = {
            country: list(Province.objects.filter(country=country).order_by("code"))
            for country in Country.values
        }
        self.subjects = {s.code: s for s in Subject.objects.all()}
        self.used_names = set()

    def teacher(self, country, email):
        # Redraw a few times so that a cohort rarely shows the same fictional name twice.
        for _attempt in range(30):
            teacher = self._draw(country)
            key = (country, teacher[0][0], teacher[1][0])
            if key not in self.used_names:
                break
        self.used_names.add(key)
        return self._create(country, email, *teacher)

    def _draw(self, country):
        rng = self.rng
        if country == Country.CAMBODIA:
            (family, family_latin), (given, given_latin) = rng.choice(KHMER_FAMILY), rng.choice(KHMER_GIVEN)
            order, nickname, language = NameOrder.FAMILY_FIRST, "", Language.KHMER
        elif country == Country.THAILAND:
            (family, family_latin), (given, given_latin) = rng.choice(THAI_FAMILY), rng.choice(THAI_GIVEN)
            order, nickname, language = NameOrder.GIVEN_FIRST, rng.choice(THAI_NICKNAMES), Language.THAI
        else:
            family, given = rng.choice(VIET_FAMILY), rng.choice(VIET_GIVEN)
            family_latin, given_latin = _strip_accents(family), _strip_accents(given)
            order, nickname, language = NameOrder.FAMILY_FIRST, "", Language.VIETNAMESE
        return (family, family_latin), (given, given_latin), order, nickname, language

    def _create(self, country, email, family_pair, given_pair, order, nickname, language):
        rng = self.rng
        (family, family_latin), (given, given_latin) = family_pair, given_pair
        gender = rng.choices([Gender.FEMALE, Gender.MALE, Gender.UNDISCLOSED], [55, 43, 2])[0]
        if country == Country.VIETNAM and given.split()[0] in ("Thị", "Văn"):
            gender = Gender.FEMALE if given.startswith("Thị") else Gender.MALE  # gendered middle names
        phone = f"{PHONE_PREFIX[country]}{rng.randrange(1000000):06d}"
        if not phonenumbers.is_valid_number(phonenumbers.parse(phone)):
            phone = ""
        teacher = Teacher.objects.create(
            family_name=family, given_name=given, family_name_latin=family_latin,
            given_name_latin=given_latin, nickname=nickname, name_order=order,
            gender=gender,
            email=email, phone=phone, school=rng.choice(SCHOOLS[country]),
            school_level=rng.choices(
                [SchoolLevel.LOWER_SECONDARY, SchoolLevel.UPPER_SECONDARY, SchoolLevel.TEACHER_TRAINING,
                 SchoolLevel.EDUCATION_OFFICE], [40, 45, 10, 5])[0],
            province=rng.choice(self.provinces[country]), years_experience=rng.randint(1, 30),
            preferred_language=language,
        )
        codes = rng.sample(HOST_SUBJECTS[country], k=rng.randint(1, 2))
        teacher.subjects.set([self.subjects[c] for c in codes])
        return teacher

    def populate(self, cohort, plan, *, sessions_done=True):
        """Enrol teachers per `plan` [(country, n)], record attendance and pre/post scores."""
        rng = self.rng
        enrolments = []
        for country, count in plan:
            for i in range(1, count + 1):
                email = f"{cohort.code}-{country.lower()}-{i:02d}@example.org"
                teacher = Teacher.objects.filter(email=email).first() or self.teacher(country, email)
                status = EnrolmentStatus.WITHDRAWN if rng.random() < 0.05 else EnrolmentStatus.CONFIRMED
                enrolments.append(Enrolment(
                    teacher=teacher, cohort=cohort, status=status, language=cohort.language,
                    created_at=_aware(cohort.start_date - dt.timedelta(days=30)),
                    status_changed_at=_aware(cohort.start_date - dt.timedelta(days=20)),
                ))
        Enrolment.objects.bulk_create(enrolments)
        if not sessions_done:
            return
        sessions = list(cohort.sessions.all())
        attendance, assessments = [], []
        for enrolment in enrolments:
            if enrolment.status != EnrolmentStatus.CONFIRMED:
                continue
            for session in sessions:
                status = rng.choices(
                    [AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.ABSENT,
                     AttendanceStatus.EXCUSED], [86, 5, 5, 4])[0]
                attendance.append(Attendance(enrolment=enrolment, session=session, status=status))
            pre = max(5, min(95, round(rng.gauss(48, 12))))
            assessments.append(Assessment(enrolment=enrolment, kind=AssessmentKind.PRE,
                                          score=Decimal(pre), taken_on=cohort.start_date))
            if rng.random() < 0.9:  # some post-tests are missing
                post = max(pre, min(100, round(pre + rng.gauss(26, 8))))
                assessments.append(Assessment(enrolment=enrolment, kind=AssessmentKind.POST,
                                              score=Decimal(post), taken_on=cohort.end_date))
        Attendance.objects.bulk_create(attendance)
        Assessment.objects.bulk_create(assessments)


def _strip_accents(text):
    text = text.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _aware(day, hour=9):
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


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
    accounts = seed_accounts()
    return programme, accounts
