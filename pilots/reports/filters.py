"""django-filter filter sets for the reports."""

import django_filters
from django.utils.translation import gettext_lazy as _

from pilots.choices import PILOT_YEARS, REGIONAL, CohortKind, Country, Language
from pilots.models import Cohort


class OverviewFilter(django_filters.FilterSet):
    """Narrows the cohorts of the programme overview (the queryset is already scoped)."""

    country = django_filters.ChoiceFilter(
        label=_("Country"),
        choices=[*Country.choices, (REGIONAL, _("Regional"))],
        method="filter_country",
        empty_label=_("All countries"),
    )
    year = django_filters.ChoiceFilter(
        label=_("Year"), choices=[(y, str(y)) for y in PILOT_YEARS], empty_label=_("All years")
    )
    kind = django_filters.ChoiceFilter(label=_("Cohort kind"), choices=CohortKind.choices,
                                       empty_label=_("All kinds"))
    language = django_filters.ChoiceFilter(
        label=_("Language of instruction"), choices=Language.choices, empty_label=_("All languages")
    )

    class Meta:
        model = Cohort
        fields = ["country", "year", "kind", "language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            field.widget.attrs["class"] = "form-select"

    def filter_country(self, queryset, name, value):
        return queryset.filter(country="" if value == REGIONAL else value)
