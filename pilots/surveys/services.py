"""Surveys: when each is open for a cohort's teachers, answering it, and the default surveys of a
programme (reaction at the end, follow-ups after 3 and 12 months)."""

import calendar
import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pilots.choices import SEATED_STATUSES, Language
from pilots.models import Cohort, Enrolment, Programme

from .models import Answer, Measure, Question, QuestionKind, Response, Survey, SurveyKind


class SurveyError(ValidationError):
    """A survey cannot be answered; `code` says why."""


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def window(survey: Survey, cohort: Cohort) -> tuple[dt.date, dt.date]:
    """(first day, closing day) of the survey for a cohort: from its last day plus `months_after`,
    for `open_days` days; it closes at the start of the closing day."""
    opens = add_months(cohort.end_date, survey.months_after)
    return opens, opens + dt.timedelta(days=survey.open_days)


def latest_surveys(programme_id: int):
    """The active surveys of a programme, the newest version of each kind and timing."""
    surveys = Survey.objects.filter(programme_id=programme_id, is_active=True).order_by("months_after", "-version")
    latest = {}
    for survey in surveys:
        latest.setdefault((survey.kind, survey.months_after), survey)
    return list(latest.values())


def is_invited(enrolment: Enrolment) -> bool:
    return enrolment.status in SEATED_STATUSES


def open_surveys(enrolment: Enrolment, today: dt.date | None = None) -> list[Survey]:
    """The surveys this teacher may answer today and has not answered."""
    if not is_invited(enrolment):
        return []
    today = today or timezone.localdate()
    answered = set(enrolment.survey_responses.values_list("survey_id", flat=True))
    surveys = []
    for survey in latest_surveys(enrolment.cohort.programme_id):
        opens, closes = window(survey, enrolment.cohort)
        if survey.pk not in answered and opens <= today < closes:
            surveys.append(survey)
    return surveys


def submit_response(*, survey: Survey, enrolment: Enrolment, answers: dict, language: str,
                    today: dt.date | None = None) -> Response:
    """Save a teacher's answers (`answers`: {question id: number, list of choices or text}) in
    one transaction. One response per teacher and survey (a database constraint)."""
    if survey not in open_surveys(enrolment, today):
        if enrolment.survey_responses.filter(survey=survey).exists():
            raise SurveyError(_("You have already answered this survey. Thank you."), code="already_answered")
        raise SurveyError(_("This survey is not open for you."), code="not_open")
    questions = {q.pk: q for q in survey.questions.all()}
    rows = []
    for question_id, value in answers.items():
        question = questions[question_id]
        if value in (None, "", []):
            continue
        answer = Answer(question=question)
        if question.kind in (QuestionKind.LIKERT, QuestionKind.NUMBER):
            answer.number = int(value)
        elif question.kind in (QuestionKind.CHOICE, QuestionKind.MULTIPLE):
            # Each option once, in the order given (the reports count an option at its position).
            answer.choices = list(dict.fromkeys(value if isinstance(value, list | tuple) else [value]))
        else:
            answer.text = str(value)
        rows.append(answer)
    try:
        with transaction.atomic():
            response = Response.objects.create(survey=survey, enrolment=enrolment, language=language)
            for answer in rows:
                answer.response = response
            Answer.objects.bulk_create(rows)
    except IntegrityError as exc:
        raise SurveyError(_("You have already answered this survey. Thank you."), code="already_answered") from exc
    return response


def _options(*pairs):
    return [dict(value=value, **labels) for value, labels in pairs]


YES_NO = _options(
    ("yes", {"en": "Yes", "km": "បាទ/ចាស", "th": "ใช่", "vi": "Có"}),
    ("no", {"en": "No", "km": "ទេ", "th": "ไม่", "vi": "Không"}),
)
LIKERT_USEFUL = ({"en": "Not useful", "km": "មិនមានប្រយោជន៍", "th": "ไม่มีประโยชน์", "vi": "Không hữu ích"},
                 {"en": "Very useful", "km": "មានប្រយោជន៍ខ្លាំង", "th": "มีประโยชน์มาก", "vi": "Rất hữu ích"})
LIKERT_CONFIDENT = ({"en": "Not confident", "km": "មិនមានទំនុកចិត្ត", "th": "ไม่มั่นใจ", "vi": "Không tự tin"},
                    {"en": "Very confident", "km": "មានទំនុកចិត្តខ្លាំង", "th": "มั่นใจมาก", "vi": "Rất tự tin"})
OBSTACLES = _options(
    ("time", {"en": "Not enough time in the curriculum", "km": "មិនមានពេលគ្រប់គ្រាន់ក្នុងកម្មវិធីសិក្សា",
              "th": "เวลาในหลักสูตรไม่พอ", "vi": "Không đủ thời gian trong chương trình"}),
    ("materials", {"en": "Lack of materials", "km": "ខ្វះសម្ភារៈ", "th": "ขาดสื่อการสอน", "vi": "Thiếu tài liệu"}),
    ("support", {"en": "Lack of support from the school", "km": "ខ្វះការគាំទ្រពីសាលា",
                 "th": "ขาดการสนับสนุนจากโรงเรียน", "vi": "Thiếu sự hỗ trợ của nhà trường"}),
    ("sensitivity", {"en": "The topic is sensitive", "km": "ប្រធានបទនេះងាយរសើប", "th": "หัวข้อนี้อ่อนไหว",
                     "vi": "Chủ đề nhạy cảm"}),
)


def _module_titles(module) -> dict:
    """A module's title in each language it is written in (its translated columns), English at least."""
    titles = {language: getattr(module, f"title_{language}", "") for language in Language.values}
    return {"en": titles.get("en") or module.title} | {k: v for k, v in titles.items() if v and k != "en"}


def _q(survey, order, kind, en, km, th, vi, **extra):
    return Question(survey=survey, order=order, kind=kind, text_en=en, text_km=km, text_th=th, text_vi=vi, **extra)


def create_default_surveys(*, programme: Programme, follow_up_months=(3, 12)) -> list[Survey]:
    """The programme's reaction survey and its follow-ups (version 1), unless it has surveys."""
    if programme.surveys.exists():
        return []
    modules = _options(*[(m.code, _module_titles(m)) for m in programme.modules.all()])
    with transaction.atomic():
        reaction = Survey.objects.create(
            programme=programme, kind=SurveyKind.REACTION, months_after=0,
            text_en="How was the training?", text_km="តើវគ្គបណ្តុះបណ្តាលយ៉ាងដូចម្តេចដែរ?",
            text_th="การอบรมเป็นอย่างไรบ้าง", text_vi="Khóa tập huấn thế nào?",
        )
        Question.objects.bulk_create([
            _q(reaction, 1, QuestionKind.LIKERT, "How useful was the training for your teaching?",
               "តើវគ្គបណ្តុះបណ្តាលមានប្រយោជន៍ប៉ុណ្ណាសម្រាប់ការបង្រៀនរបស់អ្នក?",
               "การอบรมมีประโยชน์ต่อการสอนของคุณมากเพียงใด", "Khóa tập huấn hữu ích thế nào cho việc giảng dạy của bạn?",
               required=True, low_label=LIKERT_USEFUL[0], high_label=LIKERT_USEFUL[1]),
            _q(reaction, 2, QuestionKind.LIKERT, "How confident are you to teach this material?",
               "តើអ្នកមានទំនុកចិត្តប៉ុណ្ណាក្នុងការបង្រៀនមេរៀននេះ?",
               "คุณมั่นใจเพียงใดที่จะสอนเนื้อหานี้", "Bạn tự tin thế nào khi dạy nội dung này?",
               required=True, low_label=LIKERT_CONFIDENT[0], high_label=LIKERT_CONFIDENT[1]),
            _q(reaction, 3, QuestionKind.TEXT, "What would you change?", "តើអ្នកចង់ផ្លាស់ប្តូរអ្វីខ្លះ?",
               "คุณอยากเปลี่ยนแปลงอะไรบ้าง", "Bạn muốn thay đổi điều gì?"),
        ])
        surveys = [reaction]
        for months in follow_up_months:
            follow_up = Survey.objects.create(
                programme=programme, kind=SurveyKind.FOLLOW_UP, months_after=months,
                text_en=f"Follow-up after {months} months", text_km=f"ការតាមដានក្រោយ {months} ខែ",
                text_th=f"การติดตามผลหลัง {months} เดือน", text_vi=f"Theo dõi sau {months} tháng",
            )
            Question.objects.bulk_create([
                _q(follow_up, 1, QuestionKind.CHOICE, "Did you teach the material?", "តើអ្នកបានបង្រៀនមេរៀននេះទេ?",
                   "คุณได้สอนเนื้อหานี้หรือไม่", "Bạn đã dạy nội dung này chưa?", options=YES_NO, required=True),
                _q(follow_up, 2, QuestionKind.NUMBER, "To how many students?", "ដល់សិស្សប៉ុន្មាននាក់?",
                   "สอนนักเรียนกี่คน", "Cho bao nhiêu học sinh?", measure=Measure.STUDENTS_REACHED),
                _q(follow_up, 3, QuestionKind.MULTIPLE, "Which modules?", "មេរៀនណាខ្លះ?", "หน่วยการเรียนรู้ใดบ้าง",
                   "Những học phần nào?", options=modules),
                _q(follow_up, 4, QuestionKind.TEXT, "In which subjects?", "ក្នុងមុខវិជ្ជាណាខ្លះ?", "ในวิชาใดบ้าง",
                   "Trong những môn học nào?"),
                _q(follow_up, 5, QuestionKind.MULTIPLE, "What got in the way?", "តើមានអ្វីជាឧបសគ្គ?",
                   "อะไรเป็นอุปสรรค", "Điều gì gây cản trở?", options=OBSTACLES),
            ])
            surveys.append(follow_up)
    return surveys
