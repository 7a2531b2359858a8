"""Staff issue and revoke tokens in the admin; the secret is shown once and stored hashed."""

import hashlib
import re

import pytest
from django.contrib.messages import get_messages

from pilots.api.models import ApiToken
from pilots.choices import Country
from tests.api.support import bearer

pytestmark = pytest.mark.django_db


def test_staff_issue_a_token_shown_once_then_revoke_it(staff_client, make_coordinator):
    owner = make_coordinator(Country.THAILAND)
    response = staff_client.post("/admin/pilots/apitoken/add/", {"owner": owner.pk, "name": "MoE dashboard"},
                                 follow=True)
    assert response.status_code == 200
    shown = " ".join(str(m) for m in get_messages(response.wsgi_request)) + response.content.decode()
    secret = re.search(r"secret is ([A-Za-z0-9_-]{40,})", shown).group(1)
    token = ApiToken.objects.get()
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in staff_client.get(f"/admin/pilots/apitoken/{token.pk}/change/").content.decode()

    from django.test import Client

    partner = Client()
    assert partner.get("/api/v1/partner/overview", **bearer(secret)).status_code == 200

    staff_client.post("/admin/pilots/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert partner.get("/api/v1/partner/overview", **bearer(secret)).status_code == 401


def test_the_record_of_calls_is_read_only_in_the_admin(staff_client):
    assert staff_client.get("/admin/pilots/apicall/").status_code == 200
    assert staff_client.get("/admin/pilots/apicall/add/").status_code == 403
