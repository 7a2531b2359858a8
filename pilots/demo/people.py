"""Fictional teachers for the demo cohorts *(demo)*: hand-made lists of clearly fictional names in
Khmer, Thai and Vietnamese script, drawn deterministically from a seed."""

import datetime as dt
import random
import unicodedata
from decimal import Decimal

import phonenumbers
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from pilots.choices import (
    AssessmentKind,
    AttendanceStatus,
    Country,
    EnrolmentStatus,
    Gender,
    Language,
    SchoolLevel,
    name_order_for,
)
from pilots.models import Assessment, Attendance, Enrolment, Province, Subject, Teacher

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
            nickname, language = "", Language.KHMER
        elif country == Country.THAILAND:
            (family, family_latin), (given, given_latin) = rng.choice(THAI_FAMILY), rng.choice(THAI_GIVEN)
            nickname, language = rng.choice(THAI_NICKNAMES), Language.THAI
        else:
            family, given = rng.choice(VIET_FAMILY), rng.choice(VIET_GIVEN)
            family_latin, given_latin = _strip_accents(family), _strip_accents(given)
            nickname, language = "", Language.VIETNAMESE
        return (family, family_latin), (given, given_latin), name_order_for(country), nickname, language

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
                    created_at=aware(cohort.start_date - dt.timedelta(days=30)),
                    status_changed_at=aware(cohort.start_date - dt.timedelta(days=20)),
                ))
        # With their history, so that the first change staff make shows what it changed.
        bulk_create_with_history(enrolments, Enrolment, default_change_reason="demo")
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
        bulk_create_with_history(attendance, Attendance, default_change_reason="demo")
        bulk_create_with_history(assessments, Assessment, default_change_reason="demo")


def _strip_accents(text):
    text = text.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def aware(day, hour=9):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
