"""Planning a file of attendance or of test scores for enrolled teachers."""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from pilots.choices import SEATED_STATUSES, AssessmentKind, AttendanceStatus
from pilots.models import Assessment, Attendance, Enrolment, Session

from .rows import (
    ATTENDANCE_WORDS,
    DATE_FORMS,
    TEST_WORDS,
    TIME_FORMS,
    coded_value,
    name_key,
    parse_date,
    parse_time,
    row_cohort,
    row_identity,
)


def _enrolments_by_identity(cohort_ids):
    """Seated or finished enrolments of the cohorts, indexed by (cohort, email) and (cohort, names)."""
    by_email, by_name = {}, {}
    for enrolment in Enrolment.objects.filter(cohort_id__in=cohort_ids).select_related("teacher"):
        teacher = enrolment.teacher
        if teacher.email:
            by_email[(enrolment.cohort_id, teacher.email.casefold())] = enrolment
        by_name[(enrolment.cohort_id,
                 name_key(teacher.family_name, teacher.given_name, teacher.school))] = enrolment
    return by_email, by_name


def _row_enrolment(plan, number, values, cohort, identity, index):
    by_email, by_name = index
    email, name_key = identity
    enrolment = by_email.get((cohort.pk, email)) if email else by_name.get((cohort.pk, name_key))
    if enrolment is None:
        plan.problem(number, "email" if email else "family_name",
                     _("No such teacher is enrolled in %(cohort)s.") % {"cohort": cohort})
    elif enrolment.status not in SEATED_STATUSES:
        plan.problem(number, "email" if email else "family_name",
                     _("%(teacher)s is not confirmed in %(cohort)s (%(status)s).")
                     % {"teacher": enrolment.teacher, "cohort": cohort,
                        "status": enrolment.get_status_display()})
        return None
    return enrolment


def _first_rows(plan, rows, *, key, duplicate):
    """The rows whose `key` comes for the first time; a repeat is a problem on its row, in the words
    `duplicate(first row number, row)`."""
    seen = {}
    for row in rows:
        if key(row) in seen:
            plan.problem(row[0], "email", duplicate(seen[key(row)], row))
            continue
        seen[key(row)] = row[0]
        yield row


def plan_attendance(plan, table, cohorts):
    index = _enrolments_by_identity(plan.cohort_ids)
    sessions = {}
    for session in Session.objects.filter(cohort_id__in=plan.cohort_ids):
        sessions.setdefault((session.cohort_id, session.date), []).append(session)
    rows = []
    for number, values in table:
        cohort = row_cohort(plan, number, values, cohorts)
        identity = row_identity(plan, number, values)
        status = coded_value(values["attendance"], AttendanceStatus, ATTENDANCE_WORDS)
        if not status:
            plan.problem(number, "attendance", _("“%(value)s” is not an attendance. Accepted: P, L, A, "
                                                 "E, or present, late, absent, excused in English, "
                                                 "Khmer, Thai or Vietnamese.")
                         % {"value": values["attendance"]})
        day = parse_date(values["session_date"])
        if day is None:
            plan.problem(number, "session_date", _("“%(value)s” is not a date. Accepted: %(forms)s.")
                         % {"value": values["session_date"], "forms": DATE_FORMS})
        start = values.get("session_start", "")
        start_time = parse_time(start) if start else None
        if start and start_time is None:
            plan.problem(number, "session_start", _("“%(value)s” is not a time. Accepted: %(forms)s.")
                         % {"value": start, "forms": TIME_FORMS})
            continue
        if len(values.get("note", "")) > 300:
            plan.problem(number, "note", _("This text is too long."))
        if not (cohort and identity and day):
            continue
        enrolment = _row_enrolment(plan, number, values, cohort, identity, index)
        candidates = sessions.get((cohort.pk, day), [])
        if start_time:
            candidates = [s for s in candidates
                          if s.starts_at.replace(second=0, microsecond=0) == start_time]
        if len(candidates) != 1:
            plan.problem(number, "session_date",
                         (_("%(cohort)s has no session on %(date)s at %(time)s.")
                          % {"cohort": cohort, "date": day, "time": start_time.strftime("%H:%M")}
                          if start_time else
                          _("%(cohort)s has no session on %(date)s.") % {"cohort": cohort, "date": day})
                         if not candidates else
                         _("%(cohort)s has several sessions on %(date)s: give session_start.")
                         % {"cohort": cohort, "date": day})
            continue
        if enrolment and status:
            rows.append((number, enrolment, candidates[0], status, values.get("note", "")))
    existing = {
        (a.enrolment_id, a.session_id): a
        for a in Attendance.objects.filter(enrolment_id__in={r[1].pk for r in rows},
                                           session_id__in={r[2].pk for r in rows})
    }
    firsts = _first_rows(
        plan, rows, key=lambda r: (r[1].pk, r[2].pk),
        duplicate=lambda first, _row: _("Duplicate row: row %(row)s already gives this teacher's "
                                        "attendance at this session.") % {"row": first},
    )
    for number, enrolment, session, status, note in firsts:
        current = existing.get((enrolment.pk, session.pk))
        label = AttendanceStatus(status).label
        if current is None:
            plan.attendance_creates.append(Attendance(enrolment=enrolment, session=session, status=status,
                                                      note=note))
            plan.changes.append((number, _("%(teacher)s at %(session)s: %(status)s.")
                                 % {"teacher": enrolment.teacher, "session": session, "status": label}))
        elif (current.status, current.note) != (status, note):
            plan.changes.append((number, _("%(teacher)s at %(session)s: %(old)s changed to %(status)s.")
                                 % {"teacher": enrolment.teacher, "session": session,
                                    "old": current.get_status_display(), "status": label}))
            current.status, current.note = status, note
            plan.attendance_updates.append(current)
    plan.counts = {_("Attendance recorded"): len(plan.attendance_creates),
                   _("Attendance changed"): len(plan.attendance_updates)}


def plan_scores(plan, table, cohorts):
    index = _enrolments_by_identity(plan.cohort_ids)
    rows = []
    for number, values in table:
        cohort = row_cohort(plan, number, values, cohorts)
        identity = row_identity(plan, number, values)
        kind = coded_value(values["test"], AssessmentKind, TEST_WORDS)
        if not kind:
            plan.problem(number, "test", _("“%(value)s” is not pre or post.") % {"value": values["test"]})
        if not values["score"]:
            plan.problem(number, "score", _("The score is missing."))
        try:
            score = Decimal(values["score"].replace(",", "."))
            if not score.is_finite() or not 0 <= score <= 100:
                raise InvalidOperation
            score = score.quantize(Decimal("0.01"))
        except InvalidOperation:
            if values["score"]:
                plan.problem(number, "score", _("The score “%(value)s” is out of range: give a "
                                                "number from 0 to 100.") % {"value": values["score"]})
            score = None
        taken_on = None
        if values.get("taken_on"):
            taken_on = parse_date(values["taken_on"])
            if taken_on is None:
                plan.problem(number, "taken_on", _("“%(value)s” is not a date. Accepted: %(forms)s.")
                             % {"value": values["taken_on"], "forms": DATE_FORMS})
        if not (cohort and identity):
            continue
        enrolment = _row_enrolment(plan, number, values, cohort, identity, index)
        if enrolment and kind and score is not None:
            rows.append((number, enrolment, kind, score, taken_on))
    existing = {(a.enrolment_id, a.kind): a
                for a in Assessment.objects.filter(enrolment_id__in={r[1].pk for r in rows})}
    firsts = _first_rows(
        plan, rows, key=lambda r: (r[1].pk, r[2]),
        duplicate=lambda first, row: _("Duplicate row: row %(row)s already gives this teacher's "
                                       "%(test)s.") % {"row": first, "test": AssessmentKind(row[2]).label},
    )
    for number, enrolment, kind, score, taken_on in firsts:
        current = existing.get((enrolment.pk, kind))
        label = AssessmentKind(kind).label
        if current is None:
            plan.score_creates.append(Assessment(enrolment=enrolment, kind=kind, score=score,
                                                 taken_on=taken_on))
            plan.changes.append((number, _("%(teacher)s: %(test)s %(score)s.")
                                 % {"teacher": enrolment.teacher, "test": label, "score": score}))
        elif current.score != score or (taken_on and taken_on != current.taken_on):
            plan.changes.append((number, _("%(teacher)s: %(test)s %(old)s changed to %(score)s.")
                                 % {"teacher": enrolment.teacher, "test": label, "old": current.score,
                                    "score": score}))
            current.score, current.taken_on = score, taken_on or current.taken_on
            plan.score_updates.append(current)
    plan.counts = {_("Scores recorded"): len(plan.score_creates),
                   _("Scores changed"): len(plan.score_updates)}
