"""The record of processing (Thai PDPA s.39; the content of Vietnam's impact assessments): what
personal data Pilots holds, why, on which basis, for how long, where, and who receives it."""

from django.conf import settings
from django.utils.translation import gettext as _

from pilots.models import Programme


def record() -> dict:
    database = settings.DATABASES["default"]
    storage = _("PostgreSQL database at %(host)s") % {"host": database.get("HOST") or "localhost"} \
        if "postgresql" in database["ENGINE"] else _("SQLite database file on the application server")
    retention = [
        {"programme": p.name,
         "after_last_cohort": getattr(getattr(p, "retention", None), "months_after_last_cohort",
                                      settings.PILOTS_RETENTION_MONTHS_AFTER_LAST_COHORT),
         "unplaced": getattr(getattr(p, "retention", None), "months_for_unplaced",
                             settings.PILOTS_RETENTION_MONTHS_UNPLACED)}
        for p in Programme.objects.select_related("retention").order_by("name")
    ]
    return {
        "controllers": _("DC-Cam (Documentation Center of Cambodia) and the UN Office on Genocide Prevention"),
        "activities": [
            {"category": _("Identity: family and given names (own script and Latin), nickname, gender"),
             "purpose": _("Registration and running the training; reports without names"),
             "basis": _("Consent (registration purpose), recorded with the notice version and language")},
            {"category": _("Contact: email, phone, preferred language"),
             "purpose": _("Emails about the registration and the teacher's requests"),
             "basis": _("Consent (registration purpose)")},
            {"category": _("Work: school, school level, subjects, province, years of teaching"),
             "purpose": _("Placement and programme statistics"),
             "basis": _("Consent (registration purpose)")},
            {"category": _("Training: enrolments, attendance, pre- and post-test scores, staff notes"),
             "purpose": _("Running the training, completion, programme statistics"),
             "basis": _("Consent (registration purpose)")},
            {"category": _("Photos and publication of names"),
             "purpose": _("Reporting on the programme in public"),
             "basis": _("Separate, optional consent per purpose, withdrawable at any time")},
            {"category": _("Staff access records and data requests"),
             "purpose": _("Accountability: who looked at personal data; answering requests on time"),
             "basis": _("Legal obligation")},
        ],
        "recipients": _("Programme staff, and the coordinators of the teacher's country only"),
        "processors": [
            _("Mail provider: %(host)s (sends the emails)") % {"host": settings.EMAIL_HOST},
            _("Hosting of the application and the database: %(storage)s") % {"storage": storage},
        ],
        "storage": storage,
        "transfers": _("Data of teachers in Vietnam stored on servers outside Vietnam is a cross-border "
                       "transfer: an impact assessment is filed within 60 days."),
        "security": _("Signed personal links, staff sign-in with permissions by country, every change in "
                      "the history, every view of personal data recorded, HTTPS."),
        "retention": retention,
    }


def rows():
    r = record()
    yield [_("Section"), _("Category"), _("Purpose"), _("Legal basis")]
    yield [_("Controllers"), r["controllers"], "", ""]
    for a in r["activities"]:
        yield [_("Processing"), a["category"], a["purpose"], a["basis"]]
    yield [_("Recipients"), r["recipients"], "", ""]
    for p in r["processors"]:
        yield [_("Processors"), p, "", ""]
    yield [_("Cross-border transfer"), r["transfers"], "", ""]
    yield [_("Security"), r["security"], "", ""]
    for p in r["retention"]:
        yield [_("Retention"), p["programme"],
               _("%(months)s months after the last cohort ends") % {"months": p["after_last_cohort"]},
               _("%(months)s months for rejected, withdrawn or waitlisted applications") % {"months": p["unplaced"]}]
