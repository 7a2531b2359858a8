"""Keeping an upload between preview and confirmation: a `PendingImport` row and its file."""

import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import PendingImport

KEEP_FOR = dt.timedelta(hours=24)


class PendingImportError(ValidationError):
    """The pending upload is gone, expired, someone else's, or changed since the preview."""


def keep_upload(*, user, kind: str, filename: str, data: bytes) -> PendingImport:
    """Store previewed bytes for confirmation; older pending uploads of anyone are forgotten."""
    forget_old_uploads()
    token = secrets.token_urlsafe(24)
    pending = PendingImport(token=token, user=user, kind=kind, filename=filename[:255],
                            sha256=PendingImport.digest(data))
    pending.file.save(f"{token}.upload", ContentFile(data), save=False)
    pending.save()
    return pending


def read_upload(*, token: str, user) -> tuple[PendingImport, bytes]:
    """The pending upload `token` of `user` and its bytes, exactly as previewed."""
    pending = PendingImport.objects.filter(
        token=token, user=user, created_at__gte=timezone.now() - KEEP_FOR
    ).first() if token else None
    if pending is None:
        raise PendingImportError(_("This import has expired or was already done. Upload the file "
                                   "again."), code="expired")
    try:
        with pending.file.open("rb") as handle:
            data = handle.read()
    except OSError as exc:
        discard_upload(pending)
        raise PendingImportError(_("This import has expired. Upload the file again."),
                                 code="expired") from exc
    if PendingImport.digest(data) != pending.sha256:
        discard_upload(pending)
        raise PendingImportError(_("The file changed after the preview, so it was not imported. "
                                   "Upload it again to see a new preview."), code="changed")
    return pending, data


def discard_upload(pending: PendingImport) -> None:
    pending.file.delete(save=False)
    pending.delete()


def forget_old_uploads() -> None:
    with transaction.atomic():
        for pending in PendingImport.objects.filter(created_at__lt=timezone.now() - KEEP_FOR):
            discard_upload(pending)
