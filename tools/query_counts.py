"""Print a markdown table of the SQL queries each page and export makes, for two data sizes.

    cd <project> && .venv/bin/python tools/query_counts.py [--sizes 5,200]

The point is to compare two versions of the code (before and after a restructuring), so the script
leans only on what such a move keeps: URL paths (not URL names), the factories of
tests/factories.py, the model classes and choices of pilots.models, the group names of pilots.roles,
the status-link signing function (looked up wherever it lives) and django.test.Client. Anything it
cannot find shows as "n/a" in its row instead of stopping the run.

Every size gets a freshly migrated throwaway SQLite database, so the counts of one size never see
the rows of the other. Each measured request is preceded by the same request unmeasured (process
caches such as ContentType's warm up once, whatever the order of the pages) and by a cache clear,
so cached reports are measured cold. Requests that fail show their status code in the table;
tracebacks and notes go to stderr. Only a crash of the script itself exits non-zero. Django and
project imports sit inside the functions: configure_environment() must set the settings first.
"""

import argparse
import datetime as dt
import importlib
import os
import sys
import tempfile
import traceback
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_PATH = Path(tempfile.gettempdir()) / f"qc-{os.getpid()}.sqlite3"

# Where the status-link signer may live; after these, pilots/ is searched for its definition.
SIGNER_NAME = "make_registration_token"
SIGNER_MODULES = ["pilots.tokens", "pilots.status_links", "pilots.registration.tokens",
                  "pilots.registration.status_links"]


def configure_environment():
    """Point Django at the throwaway database, before any Django import reads the settings."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    # TESTING in config/settings.py: what the test suite gets (development secret key, local-memory
    # cache, immediate tasks, no HTTPS redirect) without DEBUG, so pages run as in production.
    os.environ["PILOTS_TESTING"] = "1"
    os.environ["DATABASE_URL"] = f"sqlite:///{DB_PATH}"
    # Outside pytest the settings default to SMTP; a registration's confirmation email must not
    # try to reach a mail server (setup_test_environment() below makes it locmem as well).
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ.pop("REDIS_URL", None)  # a shared cache would be cleared for everyone
    os.environ.setdefault("LOG_LEVEL", "ERROR")  # 404/403 warnings would bury the table
    # Run from tools/, the project root is not on the path by itself.
    sys.path.insert(0, str(ROOT))
    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic


def remove_database():
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{DB_PATH}{suffix}").unlink(missing_ok=True)


def fresh_database():
    """An empty, migrated database (reference data and groups come from migrate itself)."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection

    connection.close()
    remove_database()
    call_command("migrate", verbosity=0, interactive=False)
    ContentType.objects.clear_cache()
    cache.clear()


def choices():
    """The choice classes: in pilots.models today, maybe only in pilots.choices after the move."""
    names = ["AssessmentKind", "AttendanceStatus", "CohortKind", "CohortStatus", "EnrolmentStatus"]
    found = {}
    for module_name in ("pilots.models", "pilots.choices"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        found.update({n: getattr(module, n) for n in names if n not in found and hasattr(module, n)})
    return argparse.Namespace(**found)


def find_signer():
    """The status-link signing function, or None: the module that holds it may move."""
    candidates = list(SIGNER_MODULES)
    for path in sorted((ROOT / "pilots").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        if f"def {SIGNER_NAME}(" in path.read_text(encoding="utf-8", errors="ignore"):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            candidates.append(module.removesuffix(".__init__"))
    for module_name in candidates:
        try:
            signer = getattr(importlib.import_module(module_name), SIGNER_NAME, None)
        except ImportError:
            continue
        if callable(signer):
            return signer
    return None


def subject_model():
    """Subject is not among the stable imports; reach it through Teacher.subjects instead."""
    from django.core.exceptions import FieldDoesNotExist

    from pilots.models import Teacher

    try:
        return Teacher._meta.get_field("subjects").related_model
    except FieldDoesNotExist:
        return None


def build_data(n):
    """One open national Cambodian cohort with `n` confirmed teachers, full attendance records and
    both tests, a few applicants and waitlisted teachers, and one user of each kind."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone

    from pilots.models import CountryAssignment, Province
    from pilots.roles import COORDINATORS, PROGRAMME_STAFF
    from tests import factories

    c = choices()
    today, now = timezone.localdate(), timezone.now()
    start = today + dt.timedelta(days=60)
    # One transaction: thousands of factory saves, each of which would otherwise commit on its own.
    with transaction.atomic():
        programme = factories.ProgrammeFactory(
            start_date=today - dt.timedelta(days=365), end_date=today + dt.timedelta(days=365)
        )
        modules = [factories.ModuleFactory(programme=programme) for _ in range(3)]
        cohort = factories.CohortFactory(
            programme=programme, organiser=factories.PartnerFactory(), kind=c.CohortKind.NATIONAL,
            country="KH", language="km", status=c.CohortStatus.OPEN, year=start.year,
            start_date=start, end_date=start + dt.timedelta(days=2), capacity=2 * n + 50,
            registration_opens=now - dt.timedelta(days=1), registration_closes=now + dt.timedelta(days=30),
        )
        sessions = [
            factories.SessionFactory(cohort=cohort, module=module, title=f"Session {i + 1}",
                                     date=start + dt.timedelta(days=i))
            for i, module in enumerate(modules)
        ]
        # Teachers spread over a few provinces and subjects, so breakdowns have several rows.
        provinces = list(Province.objects.filter(country="KH").order_by("code")[:5])
        subject = subject_model()
        subjects = list(subject.objects.order_by("pk")[:3]) if subject else []
        marks = [c.AttendanceStatus.PRESENT] * 5 + [c.AttendanceStatus.LATE, c.AttendanceStatus.ABSENT,
                                                     c.AttendanceStatus.EXCUSED]
        confirmed = []
        for i in range(n):
            teacher = factories.TeacherFactory(province=provinces[i % len(provinces)])
            if subjects:
                teacher.subjects.set(subjects[: 1 + i % len(subjects)])
            enrolment = factories.EnrolmentFactory(
                cohort=cohort, teacher=teacher, status=c.EnrolmentStatus.CONFIRMED, language="km"
            )
            confirmed.append(enrolment)
            for j, session in enumerate(sessions):
                factories.AttendanceFactory(enrolment=enrolment, session=session,
                                            status=marks[(i + j) % len(marks)])
            factories.AssessmentFactory(enrolment=enrolment, kind=c.AssessmentKind.PRE, score=30 + i % 50)
            factories.AssessmentFactory(enrolment=enrolment, kind=c.AssessmentKind.POST, score=50 + i % 50)
        for status in (c.EnrolmentStatus.APPLIED, c.EnrolmentStatus.WAITLISTED):
            for _ in range(3):
                factories.EnrolmentFactory(cohort=cohort, status=status, language="km")

        users = get_user_model().objects
        # No passwords: the clients use force_login, and hashing would only cost time.
        staff = users.create_user("qc-staff", "qc-staff@example.org", None, is_staff=True)
        staff.groups.add(Group.objects.get(name=PROGRAMME_STAFF))
        cohort.team.add(staff)
        coordinator = users.create_user("qc-coordinator", "qc-coordinator@example.org", None)
        coordinator.groups.add(Group.objects.get(name=COORDINATORS))
        CountryAssignment.objects.create(user=coordinator, country="KH")
        superuser = users.create_superuser("qc-admin", "qc-admin@example.org", None)

    return argparse.Namespace(
        n=n, cohort=cohort, session=sessions[0], enrolment=confirmed[0] if confirmed else None,
        staff=staff, coordinator=coordinator, superuser=superuser, provinces=provinces, subjects=subjects,
    )


def form_data(response, overrides):
    """What a browser would post back from the page's forms and formsets as rendered, with
    `overrides` {field name: value} applied to every form that has that field.

    Read from the template context (test instrumentation), so it needs no knowledge of the views'
    prefixes or hidden fields.
    """
    from django import forms

    contexts = response.context
    if contexts is None:
        raise LookupError("the page rendered no template context")
    if not isinstance(contexts, list):
        contexts = [contexts]
    seen, found = set(), []
    for context in contexts:
        for value in context.flatten().values():
            if id(value) in seen:
                continue
            seen.add(id(value))
            if isinstance(value, forms.BaseFormSet):
                found += [value.management_form, *value.forms]
            elif isinstance(value, forms.BaseForm):
                found.append(value)
    if not found:
        raise LookupError("no form on the page")
    data = {}
    for form in found:
        for field in form:
            value = overrides.get(field.name, field.value())
            if value is None or value is False:
                continue
            if value is True:
                value = "on"
            data[field.html_name] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
    return data


def registration_post(data):
    """A valid registration for the cohort (field names are the form's, as a browser sends them)."""
    subjects = [s.pk for s in data.subjects[:1]]
    return {
        "family_name": "សុខ", "given_name": "ចាន់ថា", "family_name_latin": "Sok",
        "given_name_latin": "Chantha", "nickname": "", "gender": "female",
        "email": f"qc-new-{data.n}@example.org", "phone": "012 345 678", "school": "វិទ្យាល័យ",
        "school_level": "upper_secondary", **({"subjects": subjects} if subjects else {}),
        "province": data.provinces[0].pk, "years_experience": "7", "preferred_language": "km",
        "consent": "on", "website": "",
    }


def pages(data):
    """(label, client, method, path or None, POST data builder or None), in the order measured.

    Labels keep placeholders so that rows line up across runs whatever the ids and codes are.
    Requests that change data come last, so they cannot change what the pages above count.
    """
    from django.test import Client

    def client(user=None):
        # A 500 is a result to report, not an exception to stop at.
        c = Client(raise_request_exception=False)
        # The tests read pages in English; without a choice the cohort pages look up the cohort's
        # language (one more query) instead.
        c.cookies["django_language"] = "en"
        if user is not None:
            c.force_login(user)
        return c

    public, staff, coordinator, admin = client(), client(data.staff), client(data.coordinator), \
        client(data.superuser)
    code, cohort_pk, session_pk = data.cohort.code, data.cohort.pk, data.session.pk
    signer = find_signer()
    token = signer(data.enrolment) if signer and data.enrolment else None
    if signer is None:
        print(f"note: no {SIGNER_NAME} found; the status page is skipped", file=sys.stderr)

    rows = [
        ("/cohorts/", public, "get", "/cohorts/", None),
        ("/cohorts/<code>/", public, "get", f"/cohorts/{code}/", None),
        ("/cohorts/<code>/register/", public, "get", f"/cohorts/{code}/register/", None),
        ("/registration/<token>/", public, "get", token and f"/registration/{token}/", None),
        ("/staff/", staff, "get", "/staff/", None),
        ("/staff/sessions/<pk>/attendance/", staff, "get", f"/staff/sessions/{session_pk}/attendance/", None),
        ("/staff/sessions/<pk>/sign-in-sheet/", staff, "get", f"/staff/sessions/{session_pk}/sign-in-sheet/",
         None),
        ("/staff/cohorts/<pk>/scores/pre/", staff, "get", f"/staff/cohorts/{cohort_pk}/scores/pre/", None),
        ("/staff/cohorts/<pk>/review/", staff, "get", f"/staff/cohorts/{cohort_pk}/review/", None),
        ("/staff/import/", staff, "get", "/staff/import/", None),
        ("/reports/", coordinator, "get", "/reports/", None),
        # The tests assert the overview as programme staff, who skip the coordinator's one query for
        # their countries: this row is the one to hold against that threshold.
        ("/reports/ (as programme staff)", staff, "get", "/reports/", None),
        ("/reports/overview.csv", coordinator, "get", "/reports/overview.csv", None),
        ("/reports/overview.xlsx", coordinator, "get", "/reports/overview.xlsx", None),
        ("/reports/overview-shared.csv", coordinator, "get", "/reports/overview-shared.csv", None),
        ("/reports/cohorts/<code>/", coordinator, "get", f"/reports/cohorts/{code}/", None),
        ("/reports/cohorts/<code>/roster.csv", coordinator, "get", f"/reports/cohorts/{code}/roster.csv", None),
        ("/reports/cohorts/<code>/roster.xlsx", coordinator, "get", f"/reports/cohorts/{code}/roster.xlsx",
         None),
        ("/reports/cohorts/<code>/summary-shared.csv", coordinator, "get",
         f"/reports/cohorts/{code}/summary-shared.csv", None),
    ]
    for model in ("cohort", "session", "teacher", "enrolment", "attendance", "assessment", "programme",
                  "module", "province"):
        rows.append((f"/admin/pilots/{model}/", admin, "get", f"/admin/pilots/{model}/", None))
    # The enrolment list filtered on completion runs the completion aggregate (asserted in the tests).
    rows.append(("/admin/pilots/enrolment/?completed=yes", admin, "get", "/admin/pilots/enrolment/?completed=yes",
                 None))
    rows.append(("/admin/partners/partner/", admin, "get", "/admin/partners/partner/", None))
    # Saves: every row changed, so the writers write n rows, not none.
    rows += [
        ("POST /staff/sessions/<pk>/attendance/", staff, "post", f"/staff/sessions/{session_pk}/attendance/",
         lambda page: form_data(page, {"status": "late"})),
        ("POST /staff/cohorts/<pk>/scores/pre/", staff, "post", f"/staff/cohorts/{cohort_pk}/scores/pre/",
         lambda page: form_data(page, {"score": "55", "taken_on": data.cohort.start_date.isoformat()})),
        ("POST /cohorts/<code>/register/", public, "post", f"/cohorts/{code}/register/",
         lambda page: registration_post(data)),
    ]
    return rows


def request(client, method, path, post_data=None):
    """Send one request and read all of it (a streamed export runs its queries while it streams)."""
    response = client.post(path, post_data) if method == "post" else client.get(path)
    if response.streaming:
        for _chunk in response.streaming_content:
            pass
    return response


def measure(client, method, path, build_post):
    """(number of queries, response) of one request, made cold as far as the cache goes."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    post_data = None
    if method == "post":
        # The form as the page shows it; not measured, like a browser that loaded it earlier.
        post_data = build_post(request(client, "get", path))
    else:
        request(client, method, path)  # warm-up, not measured
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = request(client, method, path, post_data)
    return len(queries.captured_queries), response


def cell(count, response):
    return str(count) if response.status_code == 200 else f"{count} ({response.status_code})"


def run(sizes):
    import django
    from django.db import connection

    django.setup()
    from django.test.utils import setup_test_environment

    # As under pytest: 'testserver' allowed, locmem email, templates' context kept on responses.
    setup_test_environment()
    results = {}
    for n in sizes:
        fresh_database()
        data = build_data(n)
        for label, client, method, path, build_post in pages(data):
            row = results.setdefault(label, {})
            if path is None:
                row[n] = "n/a"
                continue
            try:
                count, response = measure(client, method, path, build_post)
            except Exception:
                print(f"error: {label} at N={n}:", file=sys.stderr)
                traceback.print_exc()
                row[n] = "error"
                continue
            row[n] = cell(count, response)
            if response.status_code != 200:
                where = f" -> {response['Location']}" if response.has_header("Location") else ""
                print(f"note: {label} at N={n}: {response.status_code}{where}", file=sys.stderr)
    vendor = f"SQLite {connection.Database.sqlite_version}"
    connection.close()
    return results, vendor


def print_table(results, sizes, vendor):
    print("| page | " + " | ".join(f"N={n}" for n in sizes) + " |")
    print("|---|" + "---:|" * len(sizes))
    for label, row in results.items():
        print(f"| `{label}` | " + " | ".join(row.get(n, "") for n in sizes) + " |")
    print()
    print(f"Database: {vendor}, throwaway file {DB_PATH} (migrated afresh for each size); "
          f"sizes N={', '.join(map(str, sizes))} confirmed enrolments (3 sessions, attendance and "
          f"pre/post tests each, plus 3 applied and 3 waitlisted).")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5,200", help="comma-separated numbers of confirmed enrolments")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    configure_environment()
    try:
        results, vendor = run(sizes)
    finally:
        remove_database()
    print_table(results, sizes, vendor)


if __name__ == "__main__":
    main()
