"""The overview's stored figures: every cohort's sums and counts per enrolment status
(`CohortFigures`), recomputed by the scheduler's `report_figures` job when the data version has
changed since the last refresh, so that the overview of a national programme adds up a few
thousand rows instead of every enrolment and attendance row.

The figures are those of `overview.cohort_status_figures`, the live computation, stored as they
come: one definition of every figure. A page reads the latest refresh and says how fresh it is
(`Freshness`); without any refresh yet (a new installation, development, tests) it computes live.
"""

import time
from dataclasses import dataclass

from django.db.models import F, FilteredRelation, Q
from django.utils import timezone

from pilots import data_version
from pilots.models import Cohort

from .models import FIGURE_FIELDS, CohortFigures, FiguresRefresh
from .overview import cohort_status_figures, overview_from, programme_overview
from .snapshot import snapshot

# Refreshes kept: a page that looked up the latest just before a newer one commits still finds its rows.
KEEP = 2
REFRESH_WORK_MEM = "256MB"


def refresh_figures():
    """Recompute every cohort's figures from the enrolments, attendance and scores, in one
    repeatable-read transaction (one consistent snapshot of the data). The data version is read
    before the snapshot starts: a write that commits in between makes the refresh look older
    than it is, never newer."""
    version, computed_at, started = data_version.current(), timezone.now(), time.perf_counter()
    with snapshot() as connection:
        if connection.vendor == "postgresql":
            # The completed enrolments' ids are looked up in a hash: with the default 4 MB a
            # national programme's did not fit and PostgreSQL scanned them again for every row.
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL work_mem = '{REFRESH_WORK_MEM}'")
        _meta, rows = cohort_status_figures(Cohort.objects.all())
        refresh = FiguresRefresh.objects.create(data_version=version, computed_at=computed_at, seconds=0)
        CohortFigures.objects.bulk_create([CohortFigures(refresh=refresh, **row) for row in rows], batch_size=2000)
        refresh.seconds = time.perf_counter() - started
        refresh.save(update_fields=["seconds"])
        old = FiguresRefresh.objects.order_by("-computed_at", "-pk").values_list("pk", flat=True)[KEEP:]
        FiguresRefresh.objects.filter(pk__in=list(old)).delete()
    return refresh


def latest():
    """(pk, computed_at, data version) of the latest refresh, or None. One query, on the database
    the figures are then read from (a replica that has not received the latest refresh yet gives
    its previous one, whose figures it holds)."""
    return (
        FiguresRefresh.objects.order_by("-computed_at", "-pk").values_list("pk", "computed_at", "data_version").first()
    )


@dataclass(frozen=True)
class Freshness:
    """What a page says about its figures: computed now (`as_of` None), or as of a refresh, with
    or without changes since."""

    as_of: object = None
    changed_since: bool = False


def freshness(overview):
    if overview.refresh is None:
        return Freshness()
    _pk, computed_at, version = overview.refresh
    return Freshness(as_of=computed_at, changed_since=version != data_version.current())


def stored_overview(cohorts, stamp):
    """The overview of `cohorts` (scoped and filtered) from the refresh `stamp`: one query, the
    cohorts joined to their stored figures. A cohort created since the refresh counts with no
    enrolments until the next one."""
    figures = FilteredRelation("report_figures", condition=Q(report_figures__refresh_id=stamp[0]))
    meta, rows = {}, []
    for r in (
        cohorts.order_by()
        .annotate(_figures=figures)
        .values(
            "pk",
            "year",
            "country",
            f_status=F("_figures__status"),
            **{f"f_{key}": F(f"_figures__{key}") for key in FIGURE_FIELDS},
        )
    ):
        meta[r["pk"]] = (r["year"], r["country"])
        if r["f_status"] is not None:
            rows.append(
                {"cohort_id": r["pk"], "status": r["f_status"], **{key: r[f"f_{key}"] for key in FIGURE_FIELDS}}
            )
    return overview_from(meta, rows, refresh=stamp)


def overview_for(cohorts, stamp):
    """The overview of `cohorts`: from the refresh `stamp` (`latest()`) when there is one, else live."""
    return stored_overview(cohorts, stamp) if stamp else programme_overview(cohorts)
