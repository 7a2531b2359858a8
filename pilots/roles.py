"""The two groups of users besides superusers, kept in step with the models on every migrate."""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

PROGRAMME_STAFF = "Programme staff"
COORDINATORS = "Coordinators"

# Programme data that staff add, change and view. No user administration, no deletion of history.
STAFF_MODELS = {
    "partners": ["partner", "contact", "agreement", "agreementparty"],
    "pilots": [
        "programme", "module", "cohort", "session", "teacher", "enrolment", "attendance",
        "assessment", "province", "subject", "countryassignment",
        "historicalteacher", "historicalenrolment", "historicalattendance", "historicalassessment",
    ],
}
STAFF_EXTRA = [("pilots", "view_reports"), ("pilots", "view_all_countries")]
COORDINATOR_PERMS = [("pilots", "view_reports")]
# Staff see the background tasks' results in the admin, failed emails to teachers included.
STAFF_EXTRA += [("django_tasks_database", "view_dbtaskresult"), ("pilots", "view_outboundemail"),
                ("pilots", "view_workerheartbeat")]
# Staff issue and revoke API tokens and read the record of API calls.
STAFF_MODELS["pilots"] += ["apitoken"]
STAFF_EXTRA += [("pilots", "view_apicall")]
# What follows a training: certificates, waiting-list policies and offers.
STAFF_MODELS["pilots"] += [
    "certificate", "waitlistpolicy", "seatoffer", "jobrun", "notice", "survey", "question", "response", "answer",
]


def _perms(pairs):
    query = Q(pk__in=[])
    for app_label, codename in pairs:
        query |= Q(content_type__app_label=app_label, codename=codename)
    return Permission.objects.filter(query)


def sync_groups(**kwargs):
    """Create or update both groups. Idempotent; runs after every `migrate`."""
    staff_pairs = [
        (app, f"{action}_{model}")
        for app, models in STAFF_MODELS.items()
        for model in models
        for action in ("add", "change", "view")
        if not (model.startswith("historical") and action != "view")
    ] + STAFF_EXTRA
    staff, _ = Group.objects.get_or_create(name=PROGRAMME_STAFF)
    staff.permissions.set(_perms(staff_pairs))
    coordinators, _ = Group.objects.get_or_create(name=COORDINATORS)
    coordinators.permissions.set(_perms(COORDINATOR_PERMS))

# Teachers' data rights: staff keep the requests register, the notices, holidays and retention,
# and read the consents, erasures, retention runs and the record of who looked.
STAFF_MODELS["pilots"] += ["datarequest", "privacynotice", "publicholiday", "retentionpolicy",
                           "historicaldatarequest"]
STAFF_EXTRA += [("pilots", f"view_{model}") for model in ("consent", "erasure", "retentionrun", "accessrecord")]
