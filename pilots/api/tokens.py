"""Issuing, finding and revoking API tokens. Only the SHA-256 of a secret is ever stored."""

import hashlib
import secrets

from django.utils import timezone

from .models import ApiToken


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def set_new_secret(token: ApiToken) -> str:
    """Give an unsaved token a fresh secret; returns the secret, which is never stored."""
    secret = secrets.token_urlsafe(32)
    token.prefix, token.key_hash = secret[:8], hash_secret(secret)
    return secret


def issue_token(*, owner, name: str, can_write: bool = False) -> tuple[ApiToken, str]:
    """A new token for `owner` and its secret, which is returned here once and never stored."""
    token = ApiToken(owner=owner, name=name, can_write=can_write)
    secret = set_new_secret(token)
    token.save()
    return token, secret


def find_token(secret: str) -> ApiToken | None:
    """The active token with this secret (its owner loaded), or None. One query."""
    if not secret:
        return None
    return (
        ApiToken.objects.select_related("owner")
        .filter(key_hash=hash_secret(secret), revoked_at__isnull=True, owner__is_active=True)
        .first()
    )


def mark_used(token: ApiToken) -> None:
    token.last_used_at = timezone.now()
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=token.last_used_at)


def revoke_tokens(queryset) -> int:
    """Revoke every active token of `queryset`; the next call with one of them is a 401."""
    return queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
