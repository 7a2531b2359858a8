from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField
from phonenumber_field.modelfields import PhoneNumberField


class PartnerKind(models.TextChoices):
    UN_OFFICE = "un_office", _("UN office")
    NGO = "ngo", _("Non-governmental organisation")
    MINISTRY = "ministry", _("Ministry")
    UNIVERSITY = "university", _("University")
    TRAINING_CENTRE = "training_centre", _("Teacher-training centre")
    SCHOOL_NETWORK = "school_network", _("School or school network")
    DONOR = "donor", _("Donor")
    OTHER = "other", pgettext_lazy("organisation kind", "Other")


class Partner(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    name_local = models.CharField(
        _("name in local script"), max_length=200, blank=True, help_text=_("Khmer, Thai or Vietnamese.")
    )
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=PartnerKind)
    # Blank for UN bodies and other international organisations.
    country = CountryField(_("country"), blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=PartnerKind.values), name="partner_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("pk")), name="partner_not_own_parent"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name


class Contact(models.Model):
    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("full name"), max_length=200)
    role = models.CharField(_("role or title"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = PhoneNumberField(_("phone"), blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["partner__name", "-is_primary", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["partner"],
                condition=Q(is_primary=True),
                name="contact_one_primary_per_partner",
                violation_error_message=_("This partner already has a primary contact."),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.partner.acronym or self.partner.name})"


class AgreementKind(models.TextChoices):
    MOU = "mou", _("Memorandum of understanding")
    PARTNERSHIP = "partnership", _("Partnership agreement")
    LETTER_OF_INTENT = "letter_of_intent", _("Letter of intent or collaboration")
    GRANT = "grant", _("Grant agreement")
    DATA_SHARING = "data_sharing", _("Data-sharing agreement")


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    NEGOTIATION = "negotiation", _("Under negotiation")
    SIGNED = "signed", _("Signed")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")


class Agreement(models.Model):
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=AgreementKind)
    status = models.CharField(
        _("status"), max_length=20, choices=AgreementStatus, default=AgreementStatus.DRAFT
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signed_city = models.CharField(_("signed in (city)"), max_length=100, blank=True)
    signed_country = CountryField(_("signed in (country)"), blank=True)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    themes = models.TextField(_("themes"), blank=True, help_text=_("One theme per line."))
    summary = models.TextField(_("summary"), blank=True)
    document = models.FileField(_("document"), upload_to="agreements/", blank=True)
    partners = models.ManyToManyField(
        Partner, through="AgreementParty", related_name="agreements", verbose_name=_("parties")
    )

    class Meta:
        ordering = ["-signed_on", "title"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AgreementKind.values), name="agreement_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=AgreementStatus.values), name="agreement_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(effective_from__isnull=True)
                | Q(effective_to__isnull=True)
                | Q(effective_to__gte=F("effective_from")),
                name="agreement_effective_dates_ordered",
                violation_error_message=_("The end date must not be before the start date."),
            ),
            # A signed (or later expired/terminated) agreement has a signing date.
            models.CheckConstraint(
                condition=Q(status__in=[AgreementStatus.DRAFT, AgreementStatus.NEGOTIATION])
                | Q(signed_on__isnull=False),
                name="agreement_signed_has_date",
                violation_error_message=_("A signed agreement needs the date it was signed."),
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.signed_on:%Y})" if self.signed_on else self.title

    @property
    def theme_list(self):
        return [line.strip() for line in self.themes.splitlines() if line.strip()]


class PartyRole(models.TextChoices):
    SIGNATORY = "signatory", _("Signatory")
    IMPLEMENTING = "implementing", _("Implementing partner")
    FUNDER = "funder", _("Funder")
    WITNESS = "witness", _("Witness")


class AgreementParty(models.Model):
    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="parties"
    )
    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="agreement_parties"
    )
    role = models.CharField(_("role"), max_length=20, choices=PartyRole, default=PartyRole.SIGNATORY)
    signatory_name = models.CharField(_("signed by"), max_length=200, blank=True)
    signatory_title = models.CharField(_("title at signing"), max_length=200, blank=True)

    class Meta:
        ordering = ["agreement", "partner__name"]
        verbose_name = _("agreement party")
        verbose_name_plural = _("agreement parties")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "partner"],
                name="agreementparty_unique_partner",
                violation_error_message=_("This partner is already a party to the agreement."),
            ),
            models.CheckConstraint(
                condition=Q(role__in=PartyRole.values), name="agreementparty_role_valid"
            ),
        ]

    def __str__(self):
        return f"{self.partner} – {self.get_role_display()}"
