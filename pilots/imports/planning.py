"""Planning an import: every row validated against the database with a fixed number of queries
(bulk lookups), and an `ImportPlan` of what would be created or changed, with every problem by row
and column in plain words. Nothing is written."""

from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from pilots.models import Cohort

from .columns import COLUMNS, ImportKind
from .records import plan_attendance, plan_scores
from .rows import ImportPlan, Rows
from .teachers import plan_teachers


def plan_import(kind: str, header: list[str], rows: list[list[str]]) -> ImportPlan:
    """Validate every row and describe the changes; reads the database, never writes it."""
    plan = ImportPlan(kind=kind, rows_read=len(rows))
    missing = [name for name, required, _doc in COLUMNS[kind] if required and name not in header]
    if "email" not in header and not {"family_name", "given_name"} <= set(header):
        missing.append("email")
    if missing:
        cells = getattr(header, "cells", None) or [name for name in header if name]
        plan.problem(getattr(header, "number", 1), ", ".join(missing),
                     _("Missing column(s): %(columns)s. Row %(row)s was read as the header and "
                       "contains: %(cells)s. Use the template, or put the column names in one row.")
                     % {"columns": ", ".join(missing), "row": getattr(header, "number", 1),
                        "cells": ", ".join(f"“{cell}”" for cell in cells[:12]) or "–"})
        return plan
    table = Rows(header, rows, [name for name, _required, _doc in COLUMNS[kind]])
    codes = {values["cohort"].casefold() for _n, values in table if values["cohort"]}
    cohorts = {c.code.casefold(): c for c in Cohort.objects.annotate(code_folded=Lower("code"))
               .filter(code_folded__in=codes)} if codes else {}
    plan.cohort_ids = {c.pk for c in cohorts.values()}
    {ImportKind.TEACHERS: plan_teachers, ImportKind.ATTENDANCE: plan_attendance,
     ImportKind.SCORES: plan_scores}[kind](plan, table, cohorts)
    # Listed as staff read the sheet: top to bottom (the planners check some rules in a later pass).
    plan.problems.sort(key=lambda problem: problem.row)
    plan.changes.sort(key=lambda change: change[0])
    return plan
