"""What a visitor sees when django-axes refuses a sign-in (staff sign-in and the admin's alike): the
site's own page, in their language, saying when to try again. Settings: "Login throttling" in
config/settings.py."""

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone


def lockout_response(request, original_response=None, credentials=None):
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    # Every refused attempt starts the cool-off again (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT),
    # so the lockout ends one cool-off after this one.
    retry_at = timezone.localtime() + settings.AXES_COOLOFF_TIME
    return render(
        request,
        "registration/locked_out.html",
        {"minutes": minutes, "retry_at": retry_at},
        status=429,
    )
