"""Calendar entries outlive their session (so a deleted session can be cancelled in teachers'
calendars), and the cancellation email is a kind of OutboundEmail (the check constraint of 0004
lists the kinds, so it is replaced here)."""

import datetime as dt
from urllib.parse import urlsplit

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

KINDS = [
    ("applied", "Application received"), ("confirmed", "Place confirmed"), ("waitlisted", "On the waiting list"),
    ("withdrawn", "Registration withdrawn"), ("rejected", "Application not accepted"),
    ("promoted", "Confirmed from the waiting list"), ("link", "Registration link"),
    ("data_request", "Request about their data received"), ("certificate", "Certificate issued"),
    ("offer", "Place offered from the waiting list"), ("reminder", "Reminder before the training"),
    ("calendar_update", "Dates or venue changed"), ("calendar_cancel", "Sessions cancelled"),
    ("survey_invite", "Survey invitation"), ("survey_closing", "Survey closing soon"),
]


def fill_entries(apps, schema_editor):
    """Existing entries: the UID they were sent with, their cohort and what they showed."""
    host = urlsplit(settings.PILOTS_SITE_URL).hostname or "pilots"
    state_model = apps.get_model("pilots", "SessionCalendarState")
    for state in state_model.objects.select_related("session"):
        session = state.session
        state.uid = f"session-{session.pk}@{host}"
        state.cohort_id = session.cohort_id
        state.title = session.title
        state.starts = timezone.make_aware(dt.datetime.combine(session.date, session.starts_at))
        state.ends = timezone.make_aware(dt.datetime.combine(session.date, session.ends_at))
        state.save(update_fields=["uid", "cohort", "title", "starts", "ends"])
    if schema_editor.connection.vendor == "postgresql":
        # Check the new foreign keys now: PostgreSQL refuses to alter a table with checks pending.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("pilots", "0012_report_figures"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="outboundemail", name="outboundemail_kind_valid"),
        migrations.AlterField(
            model_name="outboundemail",
            name="kind",
            field=models.CharField(choices=KINDS, max_length=16, verbose_name="about"),
        ),
        migrations.AddConstraint(
            model_name="outboundemail",
            constraint=models.CheckConstraint(
                condition=models.Q(kind__in=[value for value, _label in KINDS]), name="outboundemail_kind_valid"
            ),
        ),
        migrations.AddField(
            model_name="sessioncalendarstate",
            name="cohort",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.CASCADE, related_name="calendar_states",
                to="pilots.cohort", verbose_name="cohort",
            ),
        ),
        migrations.AddField(
            model_name="sessioncalendarstate",
            name="uid",
            field=models.CharField(max_length=255, null=True, verbose_name="calendar UID"),
        ),
        migrations.AddField(
            model_name="sessioncalendarstate",
            name="title",
            field=models.CharField(default="", max_length=200, verbose_name="title"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="sessioncalendarstate",
            name="starts",
            field=models.DateTimeField(null=True, verbose_name="starts"),
        ),
        migrations.AddField(
            model_name="sessioncalendarstate",
            name="ends",
            field=models.DateTimeField(null=True, verbose_name="ends"),
        ),
        migrations.AddField(
            model_name="sessioncalendarstate",
            name="cancelled",
            field=models.BooleanField(default=False, verbose_name="cancelled"),
        ),
        migrations.RunPython(fill_entries, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="sessioncalendarstate",
            name="session",
            field=models.OneToOneField(
                blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                related_name="calendar_state", to="pilots.session", verbose_name="session",
            ),
        ),
        migrations.AlterField(
            model_name="sessioncalendarstate",
            name="cohort",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="calendar_states",
                to="pilots.cohort", verbose_name="cohort",
            ),
        ),
        migrations.AlterField(
            model_name="sessioncalendarstate",
            name="uid",
            field=models.CharField(max_length=255, unique=True, verbose_name="calendar UID"),
        ),
        migrations.AlterField(
            model_name="sessioncalendarstate",
            name="starts",
            field=models.DateTimeField(verbose_name="starts"),
        ),
        migrations.AlterField(
            model_name="sessioncalendarstate",
            name="ends",
            field=models.DateTimeField(verbose_name="ends"),
        ),
        migrations.AlterModelOptions(
            name="sessioncalendarstate",
            options={
                "ordering": ["cohort", "starts", "pk"],
                "verbose_name": "calendar entry",
                "verbose_name_plural": "calendar entries",
            },
        ),
        migrations.AddConstraint(
            model_name="sessioncalendarstate",
            constraint=models.CheckConstraint(
                condition=models.Q(ends__gt=models.F("starts")), name="calendarstate_times_ordered"
            ),
        ),
    ]
