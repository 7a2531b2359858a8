from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _
from simple_history.signals import pre_create_historical_record

from . import checks  # noqa: F401  (registers the system checks)
from .history import fill_change_reason
from .reference import ensure_reference_data


class PilotsConfig(AppConfig):
    name = "pilots"
    verbose_name = _("Pilots")

    def ready(self):
        # Here, not at the top: roles imports django.contrib.auth's models, not loaded yet then.
        from .roles import sync_groups

        # Permissions are created by post_migrate too; sync the groups after them. The groups hold
        # django_tasks_db's "view task results" too, and that app comes after pilots (pilots
        # overrides its worker command), so the sync follows its post_migrate.
        post_migrate.connect(
            sync_groups, sender=apps.get_app_config("django_tasks_database"), dispatch_uid="pilots_sync_groups"
        )
        # A flush (transactional tests) empties the provinces and subjects that a migration loaded.
        post_migrate.connect(ensure_reference_data, sender=self, dispatch_uid="pilots_reference_data")
        # Services name why rows change (import, register, review, check-in): see pilots.history.
        pre_create_historical_record.connect(fill_change_reason, dispatch_uid="pilots_change_reason")
