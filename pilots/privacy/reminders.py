"""Staff reminders before a data request's due date passes (run by `remind_data_requests`)."""

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pilots.models import DataRequest


def _staff_addresses():
    if settings.PILOTS_PRIVACY_EMAILS:
        return list(settings.PILOTS_PRIVACY_EMAILS)
    users = get_user_model().objects.filter(is_active=True).exclude(email="").filter(
        Q(is_superuser=True) | Q(user_permissions__codename="change_datarequest")
        | Q(groups__permissions__codename="change_datarequest")
    ).distinct()
    return sorted(users.values_list("email", flat=True))


def send_reminders(today=None) -> int:
    """Email staff once about every open request due (or to acknowledge) within
    PILOTS_PRIVACY_REMIND_DAYS days; the email names the request's number, never the teacher."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=settings.PILOTS_PRIVACY_REMIND_DAYS)
    due = (
        DataRequest.objects.open().filter(reminded_at__isnull=True)
        .filter(Q(due_on__lte=horizon) | Q(acknowledge_by__lte=horizon, status="received"))
        .select_related("handler").due_soon_first()
    )
    sent = 0
    everyone = None
    for data_request in due:
        if data_request.handler and data_request.handler.email:
            to = [data_request.handler.email]
        else:
            everyone = _staff_addresses() if everyone is None else everyone
            to = everyone
        if not to:
            continue
        url = settings.PILOTS_SITE_URL + reverse("admin:pilots_datarequest_change", args=[data_request.pk])
        send_mail(
            _("Data request #%(n)s is due on %(due)s") % {"n": data_request.pk, "due": data_request.due_on},
            _("Data request #%(n)s (%(kind)s) must be acknowledged by %(ack)s and answered by %(due)s.\n\n%(url)s")
            % {"n": data_request.pk, "kind": data_request.get_kind_display(),
               "ack": data_request.acknowledge_by or "–", "due": data_request.due_on, "url": url},
            None, to,
        )
        data_request.reminded_at = timezone.now()
        data_request.save(update_fields=["reminded_at"])  # with its history row
        sent += 1
    return sent
