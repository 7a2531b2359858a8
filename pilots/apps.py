from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PilotsConfig(AppConfig):
    name = "pilots"
    verbose_name = _("Pilots")

    def ready(self):
        from . import checks  # noqa: F401  (registers the registration checks)
        from .reference import ensure_reference_data
        from .roles import sync_groups

        # Permissions are created by post_migrate too; sync the groups after them.
        post_migrate.connect(sync_groups, sender=self, dispatch_uid="pilots_sync_groups")
        # A flush (transactional tests) empties the provinces and subjects that a migration loaded.
        post_migrate.connect(ensure_reference_data, sender=self, dispatch_uid="pilots_reference_data")

        # Reports are cached; any change to the data they read invalidates them (issue 4).
        from .report_cache import connect_signals

        connect_signals()
