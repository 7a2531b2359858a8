"""Provinces of the pilot countries (pycountry's ISO 3166-2 data) and school subjects."""

import pycountry
from django.db import migrations

COUNTRIES = ["KH", "TH", "VN"]
# Pattaya (TH-S) is a special administrative city inside Chon Buri province, not a province.
NOT_PROVINCES = {"TH-S"}

SUBJECTS = [
    ("history", "History"),
    ("khmer-literature", "Khmer literature"),
    ("thai-language", "Thai language and literature"),
    ("vietnamese-literature", "Vietnamese literature"),
    ("citizen-morality", "Citizen morality and civics"),
    ("social-studies", "Social studies"),
    ("geography", "Geography"),
    ("english", "English"),
    ("other", "Other subject"),
]


def load(apps, schema_editor):
    Province = apps.get_model("pilots", "Province")
    Subject = apps.get_model("pilots", "Subject")
    for country in COUNTRIES:
        for sub in pycountry.subdivisions.get(country_code=country):
            if sub.code in NOT_PROVINCES:
                continue
            Province.objects.update_or_create(
                code=sub.code,
                defaults={"country": country, "name": sub.name, "category": sub.type},
            )
    for order, (code, name) in enumerate(SUBJECTS):
        Subject.objects.update_or_create(code=code, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("pilots", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
