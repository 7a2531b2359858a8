"""The shapes of the API's answers and requests (pydantic, through django-ninja): the OpenAPI
schema is generated from them."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

LocalTime = Annotated[str, Field(description="Local time with its UTC offset, e.g. 08:00:00+07:00.",
                                 json_schema_extra={"format": "time"})]


class ErrorOut(Schema):
    code: str = Field(description="Stable machine-readable code, e.g. not_found, rate_limited, cohort_full.")
    message: str = Field(description="What went wrong, in the language asked for (Accept-Language).")
    details: list[dict] | None = None


# --- public ------------------------------------------------------------------------------------

class ModuleOut(Schema):
    code: str
    title: str
    summary: str
    planned_hours: Decimal
    order: int


class PublicSessionOut(Schema):
    title: str
    date: dt.date
    starts_at: LocalTime
    ends_at: LocalTime
    mode: str
    mode_label: str
    venue: str
    module: str | None = Field(description="The module's code, if the session teaches one.")


class PublicCohortOut(Schema):
    code: str
    name: str
    year: int
    kind: str
    kind_label: str
    country: str = Field(description="ISO 3166-1 code; empty for a regional cohort.")
    country_label: str
    province: str | None
    language: str
    language_label: str
    venue: str
    is_online: bool
    organiser: str | None
    start_date: dt.date
    end_date: dt.date
    capacity: int
    seats_left: int = Field(description="Seats not yet taken; 0 means a new registration joins the waiting list.")
    requires_approval: bool
    registration_opens: dt.datetime | None
    registration_closes: dt.datetime | None
    is_open_for_registration: bool
    register_url: str


class PublicCohortDetailOut(PublicCohortOut):
    description: str
    modules: list[ModuleOut]
    sessions: list[PublicSessionOut]


class PublicCohortPage(Schema):
    results: list[PublicCohortOut]
    next: str | None = Field(description="Cursor of the next page (pass it as ?cursor=), or null on the last page.")


# --- partner aggregates ------------------------------------------------------------------------

Figure = int | float | str | None
FIGURE_HELP = ("Counts under 5, and those that would let one work them out, are the string \"x\"; a mean "
               "over fewer than 5 teachers is \"x\"; null means no data (never 0). Figures are per country.")


class Figures(Schema):
    """The programme's figures by the reports' definitions, with the shared files' small-cell suppression."""

    cohorts: Figure = None
    registered: Figure = None
    confirmed: Figure = None
    completed: Figure = None
    withdrawn: Figure = None
    attendance_rate: Figure = Field(None, description="Percent of expected sessions attended (present or late).")
    pre_mean: Figure = None
    pre_n: Figure = None
    post_mean: Figure = None
    post_n: Figure = None
    missing_post: Figure = None
    gain_mean: Figure = None
    gain_n: Figure = None
    g_mean: Figure = Field(None, description="Mean normalised gain (post - pre) / (100 - pre).")
    g_n: Figure = None
    g_excluded: Figure = None


class OverviewRowOut(Schema):
    year: int | None
    country: str | None = Field(description="ISO code, '' for regional cohorts, null for all countries.")
    country_label: str
    figures: Figures


class SurveyOut(Schema):
    id: int
    title: str
    kind: str = Field(description="reaction (end of the training) or follow_up.")
    months_after: int = Field(description="Months after the end of the training the teachers are asked.")
    version: int
    programme: str


class SurveyReachOut(Schema):
    asked: Figure = Field(None, description="Seated teachers of the cohorts the survey has been sent to.")
    answered: Figure = None
    response_rate: Figure = Field(None, description="Percent of the teachers asked who answered.")
    students_reached: Figure = Field(None, description="Students the teachers say they taught (cascade).")
    missing: Figure = Field(None, description="Teachers asked who gave no number of students (not 0).")


class SurveyRowOut(SurveyReachOut):
    year: int | None = Field(description="null for the country's all-years row.")
    country: str
    country_label: str


class SurveyOptionOut(Schema):
    value: int | str
    label: str
    count: Figure


class SurveyQuestionOut(Schema):
    question: int
    text: str
    kind: str = Field(description="likert (1 to 5), choice (one answer) or multiple (several answers).")
    options: list[SurveyOptionOut]


class SurveyAnswersOut(Schema):
    country: str
    country_label: str
    questions: list[SurveyQuestionOut]


class SurveyFiguresOut(SurveyOut):
    rows: list[SurveyRowOut] = Field(description="Per country: its years, then its all-years row (year null).")
    answers: list[SurveyAnswersOut] = Field(
        description="Per country over all years: how many teachers gave each answer (scale and choice questions)."
    )


class OverviewOut(Schema):
    note: str = Field(description=FIGURE_HELP)
    rows: list[OverviewRowOut] = Field(description="One row per country and year.")
    by_country: list[OverviewRowOut] = Field(description="One row per country, all years.")
    surveys: list[SurveyFiguresOut] = Field(description="Surveys sent to the teachers of these cohorts, if any.")


class ReportCohortOut(Schema):
    code: str
    name: str
    year: int
    kind: str
    country: str
    country_label: str
    status: str
    start_date: dt.date
    end_date: dt.date


class ReportCohortPage(Schema):
    results: list[ReportCohortOut]
    next: str | None


class FunnelStepOut(Schema):
    status: str
    label: str
    count: Figure


class CohortSurveyOut(SurveyOut, SurveyReachOut):
    pass


class CohortSummaryOut(Schema):
    cohort: ReportCohortOut
    note: str = Field(description=FIGURE_HELP)
    funnel: list[FunnelStepOut]
    figures: Figures
    surveys: list[CohortSurveyOut] = Field(
        description="The surveys this cohort's teachers have been sent (response rate and reach); answer counts "
                    "are given per country in the overview."
    )


# --- staff -------------------------------------------------------------------------------------

class StaffSessionOut(Schema):
    id: int
    title: str
    date: dt.date
    starts_at: LocalTime
    ends_at: LocalTime
    mode: str
    module: str | None


class StaffCohortOut(Schema):
    code: str
    name: str
    year: int
    country: str
    status: str
    start_date: dt.date
    end_date: dt.date
    capacity: int
    confirmed: int
    waitlisted: int
    applied: int
    seats_left: int


class StaffSessionDetailOut(StaffSessionOut):
    cohort: str = Field(description="The cohort's code.")
    title_en: str
    title_km: str
    title_th: str
    title_vi: str
    venue_en: str
    venue_km: str
    venue_th: str
    venue_vi: str
    facilitators: str


class StaffCohortDetailOut(StaffCohortOut):
    programme: int
    kind: str
    language: str
    province: str | None = Field(description="ISO 3166-2 code of the province, if any.")
    is_online: bool
    requires_approval: bool
    registration_opens: dt.datetime | None
    registration_closes: dt.datetime | None
    organiser: int | None = Field(description="The organising partner's id, if any.")
    name_en: str
    name_km: str
    name_th: str
    name_vi: str
    description_en: str
    description_km: str
    description_th: str
    description_vi: str
    venue_en: str
    venue_km: str
    venue_th: str
    venue_vi: str
    sessions: list[StaffSessionOut]


WRITE_HELP = ("Every field is optional here: a new record takes the defaults and a change keeps what is not sent; "
              "the record is then validated whole, by the same rules as the admin's page, and a refusal is a 422 "
              "`invalid` whose details give each field's messages (`loc`, `type`, `message`), in the language asked.")


class CohortIn(Schema):
    """A cohort to create or change (POST: programme, name_en, code, year, kind, language, dates and
    capacity are required; country except for a regional cohort)."""

    model_config = {"json_schema_extra": {"description": WRITE_HELP}}

    programme: int | None = Field(None, description="The programme's id.")
    name_en: str | None = None
    name_km: str | None = None
    name_th: str | None = None
    name_vi: str | None = None
    code: str | None = Field(None, description="Unique slug, e.g. kh-2025-phnom-penh.")
    year: int | None = None
    kind: str | None = Field(None, description="national_inservice, preservice or regional_tot.")
    status: str | None = None
    description_en: str | None = None
    description_km: str | None = None
    description_th: str | None = None
    description_vi: str | None = None
    country: str | None = Field(None, description="KH, TH or VN; empty for a regional cohort.")
    province: str | None = Field(None, description="ISO 3166-2 code of a province of the country.")
    language: str | None = None
    venue_en: str | None = None
    venue_km: str | None = None
    venue_th: str | None = None
    venue_vi: str | None = None
    is_online: bool | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    capacity: int | None = None
    registration_opens: dt.datetime | None = None
    registration_closes: dt.datetime | None = None
    requires_approval: bool | None = None
    organiser: int | None = Field(None, description="The organising partner's id.")


class SessionIn(Schema):
    """A session of the cohort to create or change (POST: title_en, date, starts_at and ends_at are
    required)."""

    model_config = {"json_schema_extra": {"description": WRITE_HELP}}

    title_en: str | None = None
    title_km: str | None = None
    title_th: str | None = None
    title_vi: str | None = None
    date: dt.date | None = None
    starts_at: dt.time | None = Field(None, description="Local time (e.g. 08:00), or with its UTC offset.")
    ends_at: dt.time | None = None
    module: str | None = Field(None, description="Code of a module of the cohort's programme.")
    mode: str | None = Field(None, description="in_person, online or hybrid.")
    venue_en: str | None = None
    venue_km: str | None = None
    venue_th: str | None = None
    venue_vi: str | None = None
    facilitators: str | None = None


class StaffCohortPage(Schema):
    results: list[StaffCohortOut]
    next: str | None


class EnrolmentOut(Schema):
    reference: str
    status: str
    status_label: str
    family_name: str
    given_name: str
    registered_at: dt.datetime
    status_changed_at: dt.datetime


class EnrolmentPage(Schema):
    results: list[EnrolmentOut]
    next: str | None


class StatusChangeIn(Schema):
    action: Literal["confirm", "waitlist", "reject", "withdraw"]


class AttendanceRowOut(Schema):
    reference: str
    status: str = Field(description="present, late, absent, excused, or '' when not recorded.")
    note: str
    version: str = Field(description="Pass it back unchanged when writing: a row changed meanwhile is a conflict.")


class AttendanceOut(Schema):
    session: StaffSessionOut
    rows: list[AttendanceRowOut]


class AttendanceEntryIn(Schema):
    reference: str = Field(max_length=20)
    status: Literal["present", "late", "absent", "excused", ""]
    note: str = Field("", max_length=300)
    version: str = Field("", max_length=64)


class AttendanceIn(Schema):
    entries: list[AttendanceEntryIn] = Field(max_length=2000)


class AttendanceSavedOut(Schema):
    created: int
    updated: int
