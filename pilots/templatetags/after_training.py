"""What follows a training on the teacher's "My registration" page, without touching its view:
the certificate download (and, below it, the calendar file)."""

from django import template

from pilots.choices import SEATED_STATUSES
from pilots.surveys.services import open_surveys

register = template.Library()


@register.inclusion_tag("pilots/certificates/status_block.html")
def certificate_block(enrolment, token):
    return {"certificate": enrolment.certificates.live().defer("pdf").first(), "token": token}


@register.simple_tag
def open_offer(enrolment):
    return enrolment.seat_offers.open().first()


@register.inclusion_tag("pilots/offers/status_block.html", takes_context=True)
def offer_block(context, enrolment, token):
    return {"offer": open_offer(enrolment), "token": token, "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("pilots/calendar/status_link.html")
def calendar_link(enrolment, token):
    return {"show": enrolment.status in SEATED_STATUSES, "token": token}


@register.inclusion_tag("pilots/surveys/status_block.html")
def survey_block(enrolment, token):
    return {"surveys": open_surveys(enrolment), "token": token}
