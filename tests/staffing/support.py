"""Helpers shared by the staff page tests (plain functions, no fixtures)."""

import re

from pilots.choices import EnrolmentStatus
from tests.factories import CohortFactory, EnrolmentFactory, SessionFactory


def cohort_with_teachers(n, *, team=(), **cohort_kwargs):
    cohort = CohortFactory(capacity=max(n, 1) + 5, **cohort_kwargs)
    cohort.team.add(*team)
    session = SessionFactory(cohort=cohort)
    enrolments = EnrolmentFactory.create_batch(n, cohort=cohort, status=EnrolmentStatus.CONFIRMED)
    return cohort, session, enrolments


def formset_post(response, prefix, overrides):
    """The POST data of a rendered formset page, with `overrides` {enrolment_id: {field: value}}."""
    form = response.context["formset"]
    data = {
        f"{prefix}-TOTAL_FORMS": str(form.total_form_count()),
        f"{prefix}-INITIAL_FORMS": str(form.initial_form_count()),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "2000",
    }
    for i, row_form in enumerate(form):
        enrolment_id = int(row_form["enrolment"].value())
        for name in row_form.fields:
            value = row_form[name].value()
            data[f"{prefix}-{i}-{name}"] = "" if value is None else str(value)
        for name, value in overrides.get(enrolment_id, {}).items():
            data[f"{prefix}-{i}-{name}"] = value
    return data


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())
