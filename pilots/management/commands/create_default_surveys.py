"""Give every programme without surveys the default ones: reaction at the end of a cohort,
follow-ups after 3 and 12 months (version 1, questions in the four languages)."""

from django.core.management.base import BaseCommand

from pilots.models import Programme
from pilots.surveys.services import create_default_surveys


class Command(BaseCommand):
    help = "Create the default surveys of programmes that have none."

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, nargs="+", default=[3, 12], help="Follow-up months (3 12).")

    def handle(self, *args, months, **options):
        for programme in Programme.objects.all():
            created = create_default_surveys(programme=programme, follow_up_months=months)
            self.stdout.write(f"{programme}: {len(created)} surveys created")
