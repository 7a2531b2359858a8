"""Provinces of the pilot countries (pycountry's ISO 3166-2 data) and school subjects."""

from django.db import migrations

from pilots.reference import load_reference_data


def load(apps, schema_editor):
    load_reference_data(apps.get_model("pilots", "Province"), apps.get_model("pilots", "Subject"))


class Migration(migrations.Migration):
    dependencies = [("pilots", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
