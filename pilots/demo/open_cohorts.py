"""Demo data *(demo)*: upcoming cohorts open for registration now, for `seed_demo`.

Everything here is invented for demonstration: cohort names, venues, capacities and the teachers,
whose names come from hand-made lists of clearly fictional people (emails at example.org).
Idempotent: cohorts are found by code, teachers by email, enrolments by (teacher, cohort); running
it again moves the dates so that the cohorts stay upcoming and open relative to the day it runs.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from partners.models import Partner
from pilots.choices import (
    LANGUAGE_COUNTRY,
    CohortKind,
    CohortStatus,
    EnrolmentStatus,
    Gender,
    SchoolLevel,
    SessionMode,
    name_order_for,
)
from pilots.models import Cohort, Enrolment, Province, Session, Teacher

# (family name, given name, Latin family, Latin given) - fictional people.
NAMES = {
    "km": [
        ("សុខ", "ចាន់ធីតា", "Sok", "Chanthida"), ("ចាន់", "សុភាព", "Chan", "Sopheap"),
        ("គឹម", "វណ្ណា", "Kim", "Vanna"), ("ហេង", "ស្រីពៅ", "Heng", "Sreypov"),
        ("លី", "បុប្ផា", "Ly", "Bopha"), ("ម៉ៅ", "ដារ៉ា", "Mao", "Dara"),
        ("ញឹម", "សុផល", "Nhim", "Sophal"), ("ទេព", "រតនា", "Tep", "Rattana"),
        ("សៀង", "ពិសី", "Seang", "Pisey"), ("អ៊ុំ", "វិចិត្រ", "Um", "Vichet"),
    ],
    "th": [
        ("ศรีสุวรรณ", "สมศรี", "Srisuwan", "Somsri"), ("วงศ์ประเสริฐ", "ประภา", "Wongprasert", "Prapa"),
        ("ทองดี", "วิชัย", "Thongdee", "Wichai"), ("แก้วมณี", "นภา", "Kaewmanee", "Napa"),
        ("บุญมา", "ชัยวัฒน์", "Boonma", "Chaiwat"), ("สุขสวัสดิ์", "กมลา", "Suksawat", "Kamala"),
        ("รัตนพันธ์", "อรุณี", "Rattanaphan", "Arunee"), ("จันทร์เพ็ญ", "สุรชัย", "Chanphen", "Surachai"),
    ],
    "vi": [
        ("Nguyễn", "Thị Hoa", "", ""), ("Trần", "Văn Minh", "", ""), ("Lê", "Thị Thu", "", ""),
        ("Phạm", "Quốc Bảo", "", ""), ("Hoàng", "Thị Lan", "", ""), ("Võ", "Đức Anh", "", ""),
        ("Đặng", "Thị Mai", "", ""), ("Bùi", "Văn Hùng", "", ""),
    ],
}

# code, name, kind, country, language, province code, venue, online, capacity, demo enrolments,
# requires approval, days until start.
COHORTS = [
    ("open-kh-kampong-cham", "Kampong Cham in-service training (demo)", CohortKind.NATIONAL, "KH", "km",
     "KH-3", "Provincial teacher-training centre, Kampong Cham (demo)", False, 30, 8, False, 35),
    ("open-kh-phnom-penh", "Phnom Penh in-service training (demo)", CohortKind.NATIONAL, "KH", "km",
     "KH-12", "DC-Cam, Phnom Penh (demo)", False, 20, 18, False, 28),
    ("open-th-chiang-mai", "Chiang Mai in-service training (demo)", CohortKind.NATIONAL, "TH", "th",
     "TH-50", "Education office, Chiang Mai (demo)", False, 25, 23, False, 42),
    ("open-vn-hue", "Huế teacher training, by application (demo)", CohortKind.NATIONAL, "VN", "vi",
     "VN-26", "Teacher-training college, Huế (demo)", False, 30, 6, True, 49),
    ("open-regional-tot", "Regional train-the-trainer, Southeast Asia (demo)", CohortKind.REGIONAL, "",
     "en", None, "Online and Bangkok (demo)", True, 20, 18, False, 56),
]

PROVINCE_OF = {"KH": "KH-12", "TH": "TH-10", "VN": "VN-HN"}
# Where the in-person sessions of a cohort that is partly online meet.
IN_PERSON_VENUE = {"open-regional-tot": "Bangkok"}


def _demo_teacher(language: str, index: int, provinces: dict) -> Teacher:
    family, given, family_latin, given_latin = NAMES[language][index % len(NAMES[language])]
    round_ = index // len(NAMES[language])
    suffix = f" {round_ + 1}" if round_ else ""
    teacher, _ = Teacher.objects.get_or_create(
        email=f"demo.{language}.{index:03d}@example.org",
        defaults={
            "family_name": family,
            "given_name": f"{given}{suffix}",
            "family_name_latin": family_latin,
            "given_name_latin": f"{given_latin}{suffix}" if given_latin else "",
            "name_order": name_order_for(LANGUAGE_COUNTRY[language]),
            "gender": Gender.FEMALE if index % 3 else Gender.MALE,
            "school": "Demo secondary school",
            "school_level": SchoolLevel.LOWER_SECONDARY if index % 2 else SchoolLevel.UPPER_SECONDARY,
            "province": provinces[PROVINCE_OF[LANGUAGE_COUNTRY[language]]],
            "years_experience": 3 + index % 20,
            "preferred_language": language,
        },
    )
    return teacher


@transaction.atomic
def seed_open_cohorts(*, programme, stdout=None) -> list[Cohort]:
    """Create or refresh the demo cohorts open for registration now (see module docstring)."""
    now = timezone.now()
    today = timezone.localdate()
    provinces = {p.code: p for p in Province.objects.filter(
        code__in=[c[5] for c in COHORTS if c[5]] + list(PROVINCE_OF.values())
    )}
    organiser = Partner.objects.filter(acronym__iexact="DC-Cam").first()
    modules = list(programme.modules.order_by("order")[:6])
    cohorts = []
    for position, (code, name, kind, country, language, province, venue, online, capacity, taken,
                   approval, days) in enumerate(COHORTS):
        start = today + dt.timedelta(days=days)
        cohort, created = Cohort.objects.update_or_create(
            code=code,
            defaults={
                "programme": programme,
                "name": name,
                "year": start.year,
                "kind": kind,
                "country": country,
                "province": provinces.get(province),
                "language": language,
                "venue": venue,
                "is_online": online,
                "organiser": organiser,
                "description": "Three days on the causes of atrocity crimes, the history of Democratic "
                "Kampuchea (1975-1979) and countering hate speech in class. (demo)",
                "start_date": start,
                "end_date": start + dt.timedelta(days=2),
                "capacity": capacity,
                "registration_opens": now - dt.timedelta(days=7),
                "registration_closes": now + dt.timedelta(days=days - 7),
                "requires_approval": approval,
                "status": CohortStatus.OPEN,
            },
        )
        for index, module in enumerate(modules):
            mode = SessionMode.ONLINE if online and index < 2 else SessionMode.IN_PERSON
            Session.objects.update_or_create(
                cohort=cohort,
                module=module,
                defaults={
                    "title": module.title_en,
                    "date": start + dt.timedelta(days=index // 2),
                    "starts_at": dt.time(8, 0) if index % 2 == 0 else dt.time(13, 30),
                    "ends_at": dt.time(11, 30) if index % 2 == 0 else dt.time(16, 30),
                    "mode": mode,
                    "venue": "" if mode == SessionMode.ONLINE else IN_PERSON_VENUE.get(code, venue),
                },
            )
        teacher_languages = [language] if language in NAMES else ["km", "th", "vi"]
        for index in range(taken):
            teacher_language = teacher_languages[index % len(teacher_languages)]
            teacher = _demo_teacher(teacher_language, position * 100 + index, provinces)
            Enrolment.objects.get_or_create(
                teacher=teacher,
                cohort=cohort,
                defaults={
                    "status": EnrolmentStatus.APPLIED if approval else EnrolmentStatus.CONFIRMED,
                    "language": teacher_language,
                    "consent_version": "demo",
                    "consented_at": now,
                },
            )
        cohorts.append(cohort)
        if stdout is not None:
            stdout.write(f"{'Created' if created else 'Refreshed'} open cohort {code}\n")
    return cohorts
