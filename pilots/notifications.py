"""Emails to teachers when their enrolment changes status. Called after commit by services."""

from django.core.mail import send_mail
from django.utils import translation

from .models import Enrolment, EnrolmentStatus

SUBJECTS = {
    EnrolmentStatus.CONFIRMED: "Your place is confirmed",
    EnrolmentStatus.WAITLISTED: "You are on the waiting list",
    EnrolmentStatus.APPLIED: "We have received your application",
    EnrolmentStatus.WITHDRAWN: "Your registration is withdrawn",
    EnrolmentStatus.REJECTED: "Your application was not accepted",
}


def enrolment_status_changed(*, enrolment_id: int, old_status: str | None) -> None:
    enrolment = Enrolment.objects.select_related("teacher", "cohort").get(pk=enrolment_id)
    subject = SUBJECTS.get(enrolment.status)
    if not subject or not enrolment.teacher.email or enrolment.status == old_status:
        return
    with translation.override(enrolment.language):
        send_mail(
            f"{subject}: {enrolment.cohort.name}",
            f"{subject}.\n\nCohort: {enrolment.cohort.name}\nReference: {enrolment.reference}\n",
            None,
            [enrolment.teacher.email],
        )
