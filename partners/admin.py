from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from modeltranslation.admin import TranslationAdmin

from .forms import CountryCodeField
from .models import Agreement, AgreementParty, Contact, Partner


class CountryAsTextMixin:
    """Country fields as a code box with suggestions: no <select> of 250 countries."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, CountryField):
            return CountryCodeField(
                label=db_field.verbose_name.capitalize(), required=not db_field.blank, help_text=_(
                    "Two-letter code; start typing the name for suggestions. Blank for UN bodies."
                ) if db_field.name == "country" else _("Two-letter code, e.g. RW."),
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["name", "role", "email", "phone", "is_primary"]


@admin.register(Partner)
class PartnerAdmin(CountryAsTextMixin, TranslationAdmin):
    list_display = ["name", "acronym", "kind", "country", "city", "parent", "contact_count"]
    list_filter = ["kind", "country"]
    list_select_related = ["parent"]
    search_fields = ["name_en", "name_km", "name_th", "name_vi", "name_local", "acronym", "city"]
    autocomplete_fields = ["parent"]
    inlines = [ContactInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(contact_count=Count("contacts"))

    @admin.display(description=_("contacts"), ordering="contact_count")
    def contact_count(self, obj):
        return obj.contact_count


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "partner", "role", "email", "phone", "is_primary"]
    list_filter = ["is_primary", "partner__kind", "partner__country"]
    list_select_related = ["partner"]
    search_fields = ["name", "role", "email", "partner__name", "partner__acronym"]
    autocomplete_fields = ["partner"]


class AgreementPartyInline(admin.TabularInline):
    model = AgreementParty
    extra = 1
    autocomplete_fields = ["partner"]
    fields = ["partner", "role", "signatory_name", "signatory_title"]


@admin.register(Agreement)
class AgreementAdmin(CountryAsTextMixin, admin.ModelAdmin):
    list_display = ["title", "kind", "status", "signed_on", "signed_city", "signed_country", "party_list"]
    list_filter = ["kind", "status", "signed_country"]
    search_fields = ["title", "summary", "themes", "partners__name", "partners__acronym"]
    date_hierarchy = "signed_on"
    inlines = [AgreementPartyInline]
    fieldsets = [
        (None, {"fields": ["title", "kind", "status", "summary", "themes", "document"]}),
        (_("Signing"), {"fields": ["signed_on", "signed_city", "signed_country"]}),
        (_("In force"), {"fields": ["effective_from", "effective_to"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("partners")

    @admin.display(description=_("parties"))
    def party_list(self, obj):
        return ", ".join(p.acronym or p.name for p in obj.partners.all())
