"""Helpers for the API tests: tokens of coordinators and staff, and calls with them."""

from django.contrib.auth.models import Group

from pilots.api.tokens import issue_token
from pilots.roles import PROGRAMME_STAFF


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def partner_token(make_coordinator, *countries, username=None):
    owner = make_coordinator(*countries, username=username)
    _token, secret = issue_token(owner=owner, name=f"dashboard {'-'.join(countries)}")
    return secret


def staff_token(django_user_model, *, can_write=True, username="api-staff"):
    owner = django_user_model.objects.create_user(username, password="pw-staff-1234", is_staff=True)
    owner.groups.add(Group.objects.get(name=PROGRAMME_STAFF))
    token, secret = issue_token(owner=owner, name="staff tool", can_write=can_write)
    return token, secret
