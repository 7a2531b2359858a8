"""Where teachers' personal data lives: one entry per model that refers to a teacher (directly or
through an enrolment). Erasure, the access export and the tests read this registry, so a new model
that refers to a teacher is one line here; `tests/privacy/test_registry.py` fails until it is.

Each entry names the lookup from the model to the teacher, the text fields that hold personal data
(and what erasure writes in their place), and the text fields that hold none (codes, choices), so
that every text column of such a model is a decision someone made. Other fields (numbers, dates,
choices kept for the statistics: gender, school level, province, subjects, statuses, scores) stay.
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.utils import timezone

from pilots.models import new_reference

# What an erased teacher's name becomes: the row stays as an anonymous placeholder.
ERASED_NAME = "—"


def _new_reference(obj):
    # A new reference code: the old one is in the teacher's emails and would link the row to them.
    return new_reference()


def _revoked_at(certificate):
    return certificate.revoked_at or timezone.now()


@dataclass(frozen=True)
class Personal:
    model: str  # app label and model name, e.g. "pilots.Enrolment"
    teacher: str  # lookup from this model to its teacher ("pk" for Teacher itself)
    erase: dict = field(default_factory=dict)  # personal text field -> value (or callable(obj))
    keep: tuple = ()  # text fields that hold no personal data
    # History rows (django-simple-history): "delete" removes them, "scrub" writes the erased values
    # into them too (keeping who changed a score or an attendance, and when).
    history: str = "scrub"

    @property
    def model_class(self):
        return apps.get_model(self.model)

    def values_for(self, obj) -> dict:
        return {name: value(obj) if callable(value) else value for name, value in self.erase.items()}


REGISTRY = [
    Personal(
        "pilots.Teacher", "pk",
        erase={"family_name": "", "given_name": ERASED_NAME, "family_name_latin": "", "given_name_latin": "",
               "nickname": "", "email": "", "phone": "", "school": "", "title": ""},
        keep=("name_order", "gender", "school_level", "preferred_language", "consent_version",
              "consent_language"),
        history="delete",
    ),
    Personal("pilots.Teacher_subjects", "teacher"),
    Personal(
        "pilots.Enrolment", "teacher",
        erase={"notes": "", "reference": _new_reference},
        keep=("status", "language", "consent_version"),
    ),
    Personal("pilots.Attendance", "enrolment__teacher", erase={"note": ""}, keep=("status",)),
    Personal("pilots.Assessment", "enrolment__teacher", keep=("kind",)),
    Personal("pilots.Consent", "teacher", keep=("purpose", "version", "language")),
    Personal(
        "pilots.DataRequest", "teacher",
        erase={"requester_email": "", "details": ""},
        keep=("kind", "country", "status", "outcome"),
    ),
    Personal("pilots.Erasure", "teacher", keep=("reason",)),
    # What was emailed and when: no address or text is stored on the row (the class of a failure only).
    Personal("pilots.OutboundEmail", "enrolment__teacher", keep=("kind", "last_error")),
    # When a teacher checked themselves in: no text, kept with the attendance it recorded.
    Personal("pilots.SelfCheckIn", "enrolment__teacher"),
    # A certificate of an erased teacher is revoked and anonymised: its code then says "revoked",
    # the printed name and the PDF (which shows it) are gone; coordinators' counts keep it.
    Personal(
        "pilots.Certificate", "enrolment__teacher",
        erase={"holder_name": ERASED_NAME, "holder_name_latin": "", "pdf": b"",
               "revoked_at": _revoked_at, "revoked_reason": "other"},
        keep=("code", "language"),
    ),
    Personal("pilots.SeatOffer", "enrolment__teacher", keep=("status",)),
    Personal("pilots.Notice", "enrolment__teacher", keep=("kind", "key")),
    Personal("pilots.Response", "enrolment__teacher", keep=("language",)),
    # Open answers are free text: erased; numbers and choices stay for the survey's figures.
    Personal("pilots.Answer", "response__enrolment__teacher", erase={"text": ""}, keep=("choices",)),
]

# Models that point at any row through a generic relation (content type + object id) and copy its
# text: the rows about the registry's objects are scrubbed too.
GENERIC = {
    "admin.LogEntry": {"object_repr": ERASED_NAME, "change_message": ""},
}


def entries():
    return REGISTRY


def history_model(model):
    """The django-simple-history model of `model`, or None."""
    manager = getattr(model, "history", None)
    return getattr(manager, "model", None) if manager is not None else None
