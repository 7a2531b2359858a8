"""Erase the personal data whose retention period has ended (pilots.privacy.retention)."""

import datetime as dt

from django.core.management.base import BaseCommand

from pilots.privacy.retention import apply_retention, expired_teachers


class Command(BaseCommand):
    help = "Erase teachers' personal data past its retention period (statistics kept); --dry-run lists it."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List what would be erased; change nothing.")
        parser.add_argument("--today", type=dt.date.fromisoformat, help="Pretend today is this date (YYYY-MM-DD).")

    def handle(self, *args, dry_run=False, today=None, **options):
        # Ids only: names never go to logs.
        for expired in expired_teachers(today):
            self.stdout.write(f"teacher #{expired.teacher_id}: retention ended on {expired.expired_on}")
        run = apply_retention(dry_run=dry_run, today=today)
        verb = "would erase" if dry_run else "erased"
        self.stdout.write(f"{verb} {len(run.teacher_ids)} teacher(s) (run #{run.pk})")
