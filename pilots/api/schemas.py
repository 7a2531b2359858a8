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


class OverviewOut(Schema):
    note: str = Field(description=FIGURE_HELP)
    rows: list[OverviewRowOut] = Field(description="One row per country and year.")
    by_country: list[OverviewRowOut] = Field(description="One row per country, all years.")


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


class CohortSummaryOut(Schema):
    cohort: ReportCohortOut
    note: str = Field(description=FIGURE_HELP)
    funnel: list[FunnelStepOut]
    figures: Figures


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


class StaffCohortDetailOut(StaffCohortOut):
    sessions: list[StaffSessionOut]


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
