from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PilotsConfig(AppConfig):
    name = "pilots"
    verbose_name = _("Pilots")

    def ready(self):
        from . import checks  # noqa: F401  (registers the registration checks)
        from .roles import sync_groups

        # Permissions are created by post_migrate too; sync the groups after them.
        post_migrate.connect(sync_groups, sender=self, dispatch_uid="pilots_sync_groups")
