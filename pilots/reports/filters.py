"""django-filter filter sets for the reports."""

import django_filters
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES

from pilots.choices import REGIONAL, CohortKind, Country, Language
from pilots.models import Cohort


def cohort_years(cohorts):
    """The years of `cohorts` (the reader's visible ones), newest first: the year filter's choices."""
    return list(cohorts.order_by("-year").values_list("year", flat=True).distinct())


class OverviewFilter(django_filters.FilterSet):
    """Narrows the cohorts of the programme overview (the queryset is already scoped)."""

    country = django_filters.ChoiceFilter(
        label=_("Country"),
        choices=[*Country.choices, (REGIONAL, _("Regional"))],
        method="filter_country",
        empty_label=_("All countries"),
    )
    # Choices: the years of the cohorts the reader may see (set in __init__).
    year = django_filters.ChoiceFilter(label=_("Year"), choices=[], empty_label=_("All years"))
    kind = django_filters.ChoiceFilter(label=_("Cohort kind"), choices=CohortKind.choices,
                                       empty_label=_("All kinds"))
    language = django_filters.ChoiceFilter(
        label=_("Language of instruction"), choices=Language.choices, empty_label=_("All languages")
    )

    class Meta:
        model = Cohort
        fields = ["country", "year", "kind", "language"]

    def __init__(self, *args, years=None, **kwargs):
        super().__init__(*args, **kwargs)
        years = cohort_years(self.queryset) if years is None else years
        self.form.fields["year"].choices = [("", _("All years")), *((y, str(y)) for y in years)]
        for field in self.form.fields.values():
            field.widget.attrs["class"] = "form-select"

    def applied(self):
        """The filters applied, as a sorted tuple of (name, value): the cache key part. Only for a
        valid form (an invalid one applies nothing and is never cached)."""
        return tuple(sorted(
            (name, str(value)) for name, value in self.form.cleaned_data.items() if value not in EMPTY_VALUES
        ))

    def filter_country(self, queryset, name, value):
        return queryset.filter(country="" if value == REGIONAL else value)
