"""Shared helpers of the registration tests: a valid POST for a cohort."""

from pilots.models import Province, Subject

PHONES = {"KH": "012 345 678", "TH": "081 234 5678", "VN": "091 234 56 78"}
PROVINCES = {"KH": "KH-12", "TH": "TH-10", "VN": "VN-HN"}


def registration_data(cohort, **overrides):
    country = cohort.country or "KH"
    data = {
        "family_name": "សុខ",
        "given_name": "ចាន់ថា",
        "family_name_latin": "Sok",
        "given_name_latin": "Chantha",
        "nickname": "",
        "gender": "female",
        "email": "Chantha.Sok@Example.org",
        "phone": PHONES[country],
        "school": "វិទ្យាល័យ ហ៊ុន សែន",
        "school_level": "upper_secondary",
        "subjects": [Subject.objects.get(code="history").pk],
        "province": Province.objects.get(code=PROVINCES[country]).pk,
        "years_experience": "7",
        "preferred_language": "km",
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
