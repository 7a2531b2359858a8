"""Email staff about data requests whose legal due date is near (pilots.privacy.reminders).
Run it daily (cron, or the scheduler when it exists)."""

from django.core.management.base import BaseCommand

from pilots.privacy.reminders import send_reminders


class Command(BaseCommand):
    help = "Email staff once about every open data request due within PILOTS_PRIVACY_REMIND_DAYS days."

    def handle(self, *args, **options):
        self.stdout.write(f"{send_reminders()} reminder(s) sent")
