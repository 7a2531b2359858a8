"""Provinces get the names people write (Battambang, Siem Reap, Bangkok), and Vietnam's merger of
1 July 2025 (Resolution 202/2025/QH15): the 29 absorbed units end on 30 June 2025 and point to their
successor, so that past records keep the province given and reports can group them."""

from django.db import migrations

from pilots.province_names import apply_province_names


def forwards(apps, schema_editor):
    apply_province_names(apps.get_model("pilots", "Province"))


class Migration(migrations.Migration):
    dependencies = [("pilots", "0006_api_tokens_and_calls")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
