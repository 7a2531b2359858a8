"""API tokens and the record of every call made with one.

A token belongs to a user and acts with that user's rights: the countries and cohorts it reaches
are the owner's (`pilots.access`), so revoking a coordinator's country also narrows the token.
Only the SHA-256 of the secret is stored; the secret is shown once, when staff issue the token.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("Who uses it and for what, e.g. 'MoEYS dashboard'."))
    # The first characters of the secret, so that staff can tell tokens apart without the secret.
    prefix = models.CharField(_("prefix"), max_length=8, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    can_write = models.BooleanField(
        _("may write"), default=False,
        help_text=_("Lets a staff member's token change enrolments and record attendance."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.CheckConstraint(condition=Q(key_hash__regex=r"^[0-9a-f]{64}$"), name="apitoken_key_hash_sha256"),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ApiCall(models.Model):
    """One call made with a token: who, what, and how many teachers' data it returned."""

    token = models.ForeignKey(ApiToken, verbose_name=_("token"), on_delete=models.PROTECT, related_name="calls")
    endpoint = models.CharField(_("endpoint"), max_length=200)
    method = models.CharField(_("method"), max_length=10)
    status_code = models.PositiveSmallIntegerField(_("status code"))
    teachers = models.PositiveIntegerField(_("teachers' data returned"), default=0)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("API call")
        verbose_name_plural = _("API calls")

    def __str__(self):
        return f"{self.method} {self.endpoint} ({self.status_code})"
