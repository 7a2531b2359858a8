"""Reference data: provinces of the pilot countries (pycountry's ISO 3166-2) and school subjects.

Loaded by migration 0002 and again after every `migrate`/`flush` when it is missing (a flush, as in
transactional tests, empties tables that migrations filled).
"""

import pycountry

from pilots.province_names import apply_province_names

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


def load_reference_data(Province, Subject):
    """Create or update every province and subject (idempotent). Takes the model classes so that a
    migration can pass its historical models."""
    for country in COUNTRIES:
        for sub in pycountry.subdivisions.get(country_code=country):
            if sub.code in NOT_PROVINCES:
                continue
            Province.objects.update_or_create(
                code=sub.code, defaults={"country": country, "name": sub.name, "category": sub.type}
            )
    apply_province_names(Province)
    for order, (code, name) in enumerate(SUBJECTS):
        Subject.objects.update_or_create(code=code, defaults={"name": name, "order": order})


def ensure_reference_data(sender, **kwargs):
    """post_migrate receiver; `sender` is the pilots AppConfig, which gives the current models."""
    Province, Subject = sender.get_model("Province"), sender.get_model("Subject")
    if not Province.objects.exists() or not Subject.objects.exists():
        load_reference_data(Province, Subject)
