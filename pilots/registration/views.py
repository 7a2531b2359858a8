"""Public pages of teacher registration (no login): open cohorts, a cohort, the form, the
confirmation and the teacher's own "My registration" page behind a signed link."""

import functools

from django.conf import settings
from django.contrib import messages
from django.db import InterfaceError, OperationalError
from django.db.models import Case, IntegerField, Prefetch, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe
from django_ratelimit.core import is_ratelimited

from pilots import data_version, rows
from pilots.choices import LANGUAGE_COUNTRY, SEATED_STATUSES, CohortStatus, Language
from pilots.enrolment import CohortBusy, EnrolmentError, can_withdraw, withdraw_enrolment
from pilots.i18n.languages import native_language_name
from pilots.kept import Kept
from pilots.models import Cohort, Enrolment, Erasure, Session, Teacher
from pilots.privacy.services import current_version as current_privacy_version
from pilots.status_links import LinkExpired, make_registration_token, read_registration_token

from . import services
from .forms import ContactDetailsForm, LinkRequestForm, OpenCohortFilterForm, RegistrationForm
from .seats import fill_seats


def registration_rate(group, request):
    return settings.PILOTS_REGISTRATION_RATE


def _cohort_queryset():
    return _page_cohort_queryset().with_fill_stats()


def _page_cohort_queryset():
    # The cached public pages: their seats are read apart, on each request (seats.fill_seats).
    return Cohort.objects.select_related("province", "organiser", "programme")


def _page_cache(request) -> dict:
    """What the public pages' cached fragments are keyed on besides the language: the content
    version (replaced when a cohort or anything else it shows changes, not by registrations: seats
    left are filled in on each request, see `seats.fill_seats`), and how long a fragment lives
    (registration windows open and close with the clock, not with the data)."""
    return {
        "page_content_version": data_version.content_current(),
        "page_cache_seconds": settings.PILOTS_PUBLIC_PAGE_CACHE_SECONDS,
    }


@require_safe
def open_cohorts(request):
    form = OpenCohortFilterForm(request.GET or None)

    def cohorts():
        return list(form.filter(
            _page_cohort_queryset().open_for_registration().annotate(
                # The visitor's own country first (read from their language), then regional cohorts.
                country_rank=Case(
                    When(country=LANGUAGE_COUNTRY.get(_request_language(), "-"), then=Value(0)),
                    When(country="", then=Value(1)),
                    default=Value(2),
                    output_field=IntegerField(),
                )
            ).order_by("country_rank", "start_date", "name")
        ))

    # Built and read only when the page's fragment is not in the cache.
    return fill_seats(render(request, "pilots/registration/open_cohorts.html",
                             {"form": form, "cohorts": SimpleLazyObject(cohorts), **_page_cache(request)}))


class _CohortPage:
    """What a cohort page shows, read when its cached fragments are missing (at most once)."""

    def __init__(self, cohort_id):
        self.cohort_id = cohort_id

    @functools.cached_property
    def cohort(self):
        return _page_cohort_queryset().prefetch_related(
            "team",
            "programme__modules",
            Prefetch("sessions", queryset=Session.objects.select_related("module")),
        ).get(pk=self.cohort_id)

    @property
    def is_open(self):
        return self.cohort.is_open_for_registration()

    @property
    def modules(self):
        return self.cohort.programme.modules.all()

    @property
    def sessions(self):
        return self.cohort.sessions.all()

    @property
    def team(self):
        return self.cohort.team.all()


def _read_page_cohort(code):
    return rows.select_one(Cohort, "code = %s", [code])


# One row for the title, the language button and the decision to show the page, kept a second per
# process (`pilots.kept`) like the POST's: what the page shows of its cohort (the cached fragments)
# follows the content version.
_page_cohort = Kept(_read_page_cohort)


@require_safe
def cohort_detail(request, code):
    # The rest of the page comes from the cache (pilots/registration/cohort_detail.html).
    cohort = _page_cohort(code)
    if cohort is None:
        raise Http404
    if cohort.status == CohortStatus.PLANNED and not request.user.is_staff:
        raise Http404
    return fill_seats(render(
        request,
        "pilots/registration/cohort_detail.html",
        {
            "cohort": cohort,
            "page": _CohortPage(cohort.pk),
            "cohort_language_native": native_language_name(cohort.language),
            **_page_cache(request),
        },
    ))


def _too_many_requests(request):
    return render(request, "pilots/registration/too_many_requests.html", status=429)


def _busy(request, cohort):
    return render(request, "pilots/registration/busy.html", {"cohort": cohort}, status=503)


# What a registration POST reads of its cohort: the registration window, the country's conventions
# (names, phone numbers), the seat rules.
POST_COHORT_FIELDS = ("id", "code", "country", "language", "status", "registration_opens", "registration_closes",
                      "capacity", "requires_approval", "province_id")


def _read_post_cohort(code):
    return rows.select_one(Cohort, "code = %s", [code], fields=POST_COHORT_FIELDS)


# Kept a second per process (`pilots.kept`): what the cohort says is checked again on the locked
# row; the privacy notice's version recorded with a registration may be a second old (the teacher
# read the notice when the form was drawn, earlier still). A teacher's own consent, on their status
# page, records the version read afresh.
_post_cohort = Kept(_read_post_cohort)
_privacy_version = Kept(current_privacy_version)


@require_http_methods(["GET", "HEAD", "POST"])
def register(request, code):
    # Seat counts are only read when the form is shown (see _render_form), not on a good POST. A
    # POST reads only the columns the form and the service use (the cohort has a dozen translated
    # text columns), as read within the last second; a page drawn for a refused POST loads the
    # others if it needs them.
    if request.method == "POST":
        cohort = _post_cohort(code)
        if cohort is None:
            raise Http404
    else:
        cohort = get_object_or_404(Cohort.objects.select_related("province"), code=code)
    if not cohort.is_open_for_registration():
        return render(request, "pilots/registration/registration_closed.html", {"cohort": cohort})
    if request.method == "POST":
        if is_ratelimited(
            request, group="pilots.register", key="ip", rate=registration_rate, method="POST",
            increment=True,
        ):
            return _too_many_requests(request)
        form = RegistrationForm(request.POST, cohort=cohort)
        if form.is_valid():
            try:
                registration = services.register_teacher(
                    cohort=cohort,
                    details=form.teacher_details(),
                    subjects=form.cleaned_data.get("subjects") or (),
                    language=_request_language(),
                    consent_version=_privacy_version(_request_language()),
                )
            except CohortBusy:
                return _busy(request, cohort)
            except EnrolmentError as exc:
                form.add_error(None, exc)
            except (OperationalError, InterfaceError):
                # The database went away and the retry failed too: nothing was saved. The form is
                # shown again, filled in, so that one more tap sends it.
                form.add_error(None, _("We could not save your registration just now. Nothing was "
                                       "saved: please send the form again."))
                return _render_form(request, cohort, form, status=503)
            else:
                token = make_registration_token(registration.enrolment)
                if not registration.is_new:
                    return render(
                        request, "pilots/registration/already_registered.html", {"cohort": cohort}, status=200
                    )
                return redirect("registration:done", token=token)
    else:
        form = RegistrationForm(cohort=cohort)
    return _render_form(request, cohort, form)


def _render_form(request, cohort, form, status=200):
    return render(
        request,
        "pilots/registration/register.html",
        {
            "cohort": _cohort_queryset().get(pk=cohort.pk),
            "cohort_language_native": native_language_name(cohort.language),
            "form": form,
            "privacy_version": settings.PILOTS_PRIVACY_NOTICE_VERSION,
        },
        status=status,
    )


def _request_language() -> str:
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return language if language in Language.values else Language.ENGLISH


def _token_pages(view):
    """An expired link (LinkExpired from _enrolment_from_token) answers with the page that offers a
    fresh one."""

    @functools.wraps(view)
    def wrapped(request, token, *args, **kwargs):
        try:
            return view(request, token, *args, **kwargs)
        except LinkExpired:
            return render(
                request, "pilots/registration/link_expired.html", {"form": LinkRequestForm()}, status=410
            )

    return wrapped


def _enrolment_from_token(token) -> Enrolment:
    enrolment_id = read_registration_token(token)
    if enrolment_id is None:
        raise Http404
    return get_object_or_404(
        Enrolment.objects.select_related("teacher", "teacher__province", "cohort", "cohort__province"),
        pk=enrolment_id,
        teacher__in=Teacher.objects.exclude(pk__in=Erasure.objects.values("teacher")),  # erased: no page
    )


@never_cache
@require_safe
@_token_pages
def registration_done(request, token):
    enrolment = _enrolment_from_token(token)
    return render(
        request,
        "pilots/registration/registration_done.html",
        {"enrolment": enrolment, "cohort": enrolment.cohort, "token": token,
         "waitlist_position": enrolment.waitlist_position()},
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@_token_pages
def my_registration(request, token):
    enrolment = _enrolment_from_token(token)
    teacher = enrolment.teacher
    if request.method == "POST":
        form = ContactDetailsForm(request.POST, instance=teacher, cohort=enrolment.cohort)
        if form.is_valid():
            services.save_contact_details(teacher=form.instance)
            messages.success(request, _("Your contact details are saved."))
            return redirect("registration:my_registration", token=token)
    else:
        form = ContactDetailsForm(instance=teacher, cohort=enrolment.cohort)
    return render(
        request,
        "pilots/registration/my_registration.html",
        {
            "enrolment": enrolment,
            "cohort": enrolment.cohort,
            "teacher": teacher,
            "form": form,
            "token": token,
            "can_withdraw": can_withdraw(enrolment),
            "is_past": enrolment.cohort.end_date < timezone.localdate(),
            "waitlist_position": enrolment.waitlist_position(),
        },
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@_token_pages
def withdraw(request, token):
    """A second step that says what withdrawing does; only a POST with confirm=yes withdraws."""
    enrolment = _enrolment_from_token(token)
    if request.method != "POST" or request.POST.get("confirm") != "yes":
        if not can_withdraw(enrolment):
            return redirect(reverse("registration:my_registration", args=[token]))
        return render(
            request,
            "pilots/registration/withdraw_confirm.html",
            {"enrolment": enrolment, "cohort": enrolment.cohort, "token": token,
             "holds_seat": enrolment.status in SEATED_STATUSES},
        )
    try:
        withdraw_enrolment(enrolment=enrolment)
    except CohortBusy:
        return _busy(request, enrolment.cohort)
    except EnrolmentError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("You have withdrawn. We have sent you an email to confirm it."))
    return redirect(reverse("registration:my_registration", args=[token]))


def link_request_email_key(group, request):
    """The rate-limit key of a request for fresh links: the email as registration stores it."""
    form = LinkRequestForm(request.POST)
    return form.cleaned_data["email"] if form.is_valid() else ""


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def request_link(request):
    """A teacher gets a fresh "My registration" link by email for each of their enrolments. The
    answer is the same whether or not the address is registered."""
    if request.method == "POST":
        form = LinkRequestForm(request.POST)
        limited = is_ratelimited(
            request, group="pilots.request_link", key="ip", rate=settings.PILOTS_LINK_REQUEST_RATE,
            method="POST", increment=True,
        )
        if form.is_valid():
            limited = is_ratelimited(
                request, group="pilots.request_link.email", key=link_request_email_key,
                rate=settings.PILOTS_LINK_REQUEST_EMAIL_RATE, method="POST", increment=True,
            ) or limited
        if limited:
            return render(request, "pilots/registration/link_request_limited.html", status=429)
        if form.is_valid():
            services.send_fresh_links(email=form.cleaned_data["email"])
            return render(request, "pilots/registration/link_request_sent.html")
    else:
        form = LinkRequestForm()
    return render(request, "pilots/registration/link_request.html", {"form": form})
