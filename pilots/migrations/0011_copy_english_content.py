"""The content written so far is English: copy each translated field into its English column
(what modeltranslation's `update_translation_fields` does, kept here so every database gets it)."""

from django.db import migrations
from django.db.models import F

FIELDS = {
    ("pilots", "Programme"): ("name", "description"),
    ("pilots", "Module"): ("title", "summary"),
    ("pilots", "Cohort"): ("name", "description", "venue"),
    ("pilots", "Session"): ("title", "venue"),
    ("partners", "Partner"): ("name",),
}


def copy_to_english(apps, schema_editor):
    for (app, model_name), fields in FIELDS.items():
        model = apps.get_model(app, model_name)
        model.objects.filter(**{f"{fields[0]}_en__isnull": True}).update(
            **{f"{field}_en": F(field) for field in fields}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("pilots", "0010_translated_content_and_title"),
        ("partners", "0002_translated_name"),
    ]

    operations = [migrations.RunPython(copy_to_english, migrations.RunPython.noop)]
