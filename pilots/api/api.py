"""The JSON API, version 1 (django-ninja): public reads, partners' aggregates, staff's work.

The OpenAPI schema is generated from the operations (`/api/v1/openapi.json`); the docs page
(`/api/v1/docs`) is Swagger UI served from our own static files (ninja in INSTALLED_APPS), whose
only script is an external file, so it runs under the site's Content-Security-Policy.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.validators import RegexValidator
from django.http import Http404
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from pilots.enrolment import CohortBusy, EnrolmentError
from pilots.staffing.services import RecordError

from . import partner, public, staff
from .core import TokenAuth
from .errors import MESSAGES, ApiError

api = NinjaAPI(
    title="Pilots API",
    version="1",
    description=(
        "Open trainings (public, no token), programme and survey figures for partners (read-only, with "
        "small-cell suppression) and staff's work: cohorts and sessions, enrolment status changes and "
        "attendance. Send a token as `Authorization: Bearer "
        "<token>`; errors are JSON with a stable `code` and a `message` in the language of Accept-Language "
        "(en, km, th, vi)."
    ),
    urls_namespace="api",
    auth=TokenAuth(),
    docs=Swagger(settings={"persistAuthorization": False}),
)
api.add_router("/public/", public.router)
api.add_router("/partner/", partner.router)
api.add_router("/staff/", staff.router)


def error_response(request, code, status, message, *, details=None, headers=None):
    response = api.create_response(request, {"code": code, "message": str(message), "details": details},
                                   status=status)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


@api.exception_handler(ApiError)
def on_api_error(request, exc):
    return error_response(request, exc.code, exc.status, exc.message, details=exc.details, headers=exc.headers)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error_response(request, "not_found", 404, MESSAGES["not_found"])


@api.exception_handler(AuthenticationError)
def on_unauthorized(request, exc):
    return error_response(request, "unauthorized", 401, MESSAGES["unauthorized"],
                          headers={"WWW-Authenticate": "Bearer"})


@api.exception_handler(PermissionDenied)
def on_forbidden(request, exc):
    return error_response(request, "forbidden", 403, MESSAGES["forbidden"])


# A field the schema refuses (pydantic's error type, by prefix) gets the message Django's form field
# of that kind gives, in the same words and language as the form errors of the writes.
TYPE_MESSAGES = [
    ("missing", forms.Field.default_error_messages["required"]),
    ("datetime", forms.DateTimeField.default_error_messages["invalid"]),
    ("date", forms.DateField.default_error_messages["invalid"]),
    ("time", forms.TimeField.default_error_messages["invalid"]),
    ("int", forms.IntegerField.default_error_messages["invalid"]),
    ("float", forms.FloatField.default_error_messages["invalid"]),
    ("decimal", forms.DecimalField.default_error_messages["invalid"]),
    ("literal_error", forms.ModelChoiceField.default_error_messages["invalid_choice"]),
    ("enum", forms.ModelChoiceField.default_error_messages["invalid_choice"]),
]


def type_message(error_type: str) -> str:
    return str(next((m for prefix, m in TYPE_MESSAGES if error_type.startswith(prefix)), RegexValidator.message))


@api.exception_handler(NinjaValidationError)
def on_invalid(request, exc):
    details = [{"loc": [str(p) for p in e.get("loc", ())], "type": str(e.get("type", "")),
                "message": type_message(str(e.get("type", "")))} for e in exc.errors]
    return error_response(request, "invalid_request", 422, MESSAGES["invalid_request"], details=details)


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    # ninja's own refusals, e.g. a body that is not JSON.
    return error_response(request, "invalid_request", exc.status_code if exc.status_code < 500 else 400,
                          MESSAGES["invalid_request"])


@api.exception_handler(CohortBusy)
def on_busy(request, exc):
    return error_response(request, "busy", 503, exc.messages[0], headers={"Retry-After": "2"})


@api.exception_handler(EnrolmentError)
def on_enrolment_error(request, exc):
    # cohort_full, invalid_status...: the rule that refused, in the user's words.
    return error_response(request, exc.code or "refused", 409, exc.messages[0])


@api.exception_handler(RecordError)
def on_record_error(request, exc):
    # `conflict`: another writer got there first (nothing was saved); anything else: a bad request.
    return error_response(request, exc.code or "invalid_request", 409 if exc.code == "conflict" else 400,
                          exc.messages[0])


