"""An uploaded file waiting between its preview and the staff member's confirmation."""

import hashlib
import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _


class PendingImportStorage(FileSystemStorage):
    """Files readable only by the server's user, under PILOTS_IMPORT_DIR (never under MEDIA_ROOT,
    which may be served)."""

    def __init__(self, **kwargs):
        super().__init__(file_permissions_mode=0o600, directory_permissions_mode=0o700, **kwargs)

    # Read from the setting each time (not cached at start-up), as MEDIA_ROOT is.
    @property
    def base_location(self):
        return str(settings.PILOTS_IMPORT_DIR)

    @property
    def location(self):
        return os.path.abspath(self.base_location)


def pending_import_storage():
    # A callable keeps the storage out of migrations.
    return PendingImportStorage()


class PendingImport(models.Model):
    """An upload whose preview had no problems. `sha256` is the digest of the bytes that were
    previewed: confirming reads the file again and refuses it if the bytes differ."""

    token = models.CharField(_("token"), max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"),
                             on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=20)
    filename = models.CharField(_("file name"), max_length=255)
    file = models.FileField(_("file"), storage=pending_import_storage, upload_to="pending/")
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("pending import")
        verbose_name_plural = _("pending imports")

    def __str__(self):
        return self.filename

    @staticmethod
    def digest(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()
