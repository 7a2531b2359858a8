"""Waiting-list offers: when a seat frees, the first waitlisted teacher is offered it until a
deadline, and the seat is held for them meanwhile."""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pilots.models import Cohort, Enrolment, Programme


class WaitlistMode(models.TextChoices):
    OFFER = "offer", _("Offer the seat with a deadline")
    AUTOMATIC = "automatic", _("Confirm the next teacher at once")


class WaitlistPolicy(models.Model):
    """A programme's rule for freed seats. A programme without one keeps automatic confirmation."""

    programme = models.OneToOneField(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="waitlist_policy"
    )
    mode = models.CharField(_("when a seat frees"), max_length=20, choices=WaitlistMode, default=WaitlistMode.OFFER)
    offer_hours = models.PositiveSmallIntegerField(
        _("hours to accept an offer"), default=48, validators=[MinValueValidator(1)]
    )
    short_offer_hours = models.PositiveSmallIntegerField(
        _("hours to accept close to the start"), default=12, validators=[MinValueValidator(1)]
    )
    short_within_days = models.PositiveSmallIntegerField(
        _("days before the start that count as close"), default=7,
        help_text=_("Within this many days of the first day, offers use the shorter deadline."),
    )

    class Meta:
        ordering = ["programme"]
        verbose_name = _("waiting-list policy")
        verbose_name_plural = _("waiting-list policies")
        constraints = [
            models.CheckConstraint(condition=Q(mode__in=WaitlistMode.values), name="waitlist_policy_mode_valid"),
            models.CheckConstraint(
                condition=Q(offer_hours__gte=1) & Q(short_offer_hours__gte=1), name="waitlist_policy_hours_positive"
            ),
        ]

    def __str__(self):
        return f"{self.programme}: {self.get_mode_display()}"


class OfferStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Accepted")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")


class SeatOfferQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=OfferStatus.OPEN)


class SeatOffer(models.Model):
    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.PROTECT, related_name="seat_offers"
    )
    # The cohort again, so that held seats are counted per cohort without a join.
    cohort = models.ForeignKey(Cohort, verbose_name=_("cohort"), on_delete=models.PROTECT, related_name="seat_offers")
    status = models.CharField(_("status"), max_length=20, choices=OfferStatus, default=OfferStatus.OPEN)
    offered_at = models.DateTimeField(_("offered at"), default=timezone.now)
    expires_at = models.DateTimeField(_("accept by"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = SeatOfferQuerySet.as_manager()

    class Meta:
        ordering = ["-offered_at", "pk"]
        verbose_name = _("seat offer")
        verbose_name_plural = _("seat offers")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment"], condition=Q(status="open"), name="seat_offer_one_open_per_enrolment"
            ),
            models.CheckConstraint(condition=Q(status__in=OfferStatus.values), name="seat_offer_status_valid"),
            models.CheckConstraint(condition=Q(expires_at__gt=F("offered_at")), name="seat_offer_deadline_after_offer"),
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="seat_offer_status_expiry")]

    def __str__(self):
        return f"{self.enrolment} – {self.get_status_display()}"
