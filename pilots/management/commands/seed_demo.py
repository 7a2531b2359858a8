from django.conf import settings
from django.core.management.base import BaseCommand

from pilots.demo.seed import DEMO_PASSWORD, seed_demo
from pilots.models import Cohort, Enrolment, Teacher


class Command(BaseCommand):
    help = "Load the demo programme (partners, the 2024 MoU, cohorts, teachers, scores). Idempotent."

    def handle(self, *args, **options):
        programme, accounts = seed_demo(stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {programme.cohorts.count()} cohorts of '{programme}', "
                f"{Teacher.objects.count()} teachers, {Enrolment.objects.count()} enrolments "
                f"in {Cohort.objects.count()} cohorts in all."
            )
        )
        if settings.DEBUG:
            self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
            for username in ("admin", "staff", "coordinator-kh", "coordinator-th", "coordinator-vn"):
                self.stdout.write(f"  {username}")
        elif accounts:
            self.stdout.write("Demo accounts created with random passwords (DEBUG is off; not shown).")
