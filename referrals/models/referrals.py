"""Referrals of a client to a provider, and the lifecycle they go through."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from casework.models import Client, Language, Visit
from core.fields import EncryptedLongTextField
from core.models.keys import DataKey
from referrals.models.providers import Provider


class ReasonCategory(models.TextChoices):
    """Why the person is referred — coarse on purpose: the details go in the encrypted notes."""

    GENERAL = "general", _("General medical care")
    ACUTE = "acute", _("Acute illness or injury")
    CHRONIC = "chronic", _("Chronic condition")
    DENTAL = "dental", _("Dental")
    PREGNANCY = "pregnancy", _("Pregnancy, birth, contraception")
    MENTAL_HEALTH = "mental-health", _("Mental health")
    DIAGNOSTICS = "diagnostics", _("Tests and imaging")
    MEDICATION = "medication", _("Medication")
    LEGAL = "legal", _("Legal advice")
    SOCIAL = "social", _("Social support")
    OTHER = "other", _("Other")


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    SOON = "soon", _("Within a few days")
    URGENT = "urgent", _("Urgent: today or tomorrow")


class Accompaniment(models.TextChoices):
    NOT_NEEDED = "", _("Not needed")
    NEEDED = "needed", _("Needed, not yet arranged")
    ARRANGED = "arranged", _("Arranged")


class Status(models.TextChoices):
    DRAFTED = "drafted", _("Drafted")
    SENT = "sent", _("Sent")
    BOOKED = "booked", _("Appointment booked")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no-show", _("Did not attend")
    DECLINED = "declined", _("Declined by provider")
    CANCELLED = "cancelled", _("Cancelled")
    CLOSED = "closed", _("Closed")


class Outcome(models.TextChoices):
    TREATED = "treated", _("Treated or advised")
    ONGOING = "ongoing", _("Ongoing care with this provider")
    REFERRED_ON = "referred-on", _("Referred on elsewhere")
    NOT_TREATED = "not-treated", _("Not treated")
    LOST_CONTACT = "lost-contact", _("Lost contact with the person")
    OTHER = "other", _("Other")


@dataclass(frozen=True)
class Transition:
    """One step of the lifecycle: from any of `sources` to `target`."""

    action: str
    label: str | Promise
    sources: frozenset[Status]
    target: Status
    # The audit verb: referrals.referral.<verb>
    verb: str
    needs_appointment: bool = False
    needs_outcome: bool = False


# drafted → sent → appointment booked → attended / no-show / declined / cancelled → closed.
# "book" from booked changes the appointment; from no-show it books a new one.
TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("send", _("Mark as sent"), frozenset({Status.DRAFTED}), Status.SENT, "sent"),
        Transition(
            "book",
            _("Book or change the appointment"),
            frozenset({Status.SENT, Status.BOOKED, Status.NO_SHOW}),
            Status.BOOKED,
            "booked",
            needs_appointment=True,
        ),
        Transition(
            "attended",
            _("Mark as attended"),
            frozenset({Status.BOOKED}),
            Status.ATTENDED,
            "attended",
        ),
        Transition(
            "no-show",
            _("Mark as not attended"),
            frozenset({Status.BOOKED}),
            Status.NO_SHOW,
            "no_show",
        ),
        Transition(
            "decline",
            _("Declined by the provider"),
            frozenset({Status.SENT, Status.BOOKED}),
            Status.DECLINED,
            "declined",
        ),
        Transition(
            "cancel",
            _("Cancel"),
            frozenset({Status.DRAFTED, Status.SENT, Status.BOOKED, Status.NO_SHOW}),
            Status.CANCELLED,
            "cancelled",
        ),
        Transition(
            "close",
            _("Close with outcome"),
            frozenset({Status.ATTENDED, Status.NO_SHOW, Status.DECLINED, Status.CANCELLED}),
            Status.CLOSED,
            "closed",
            needs_outcome=True,
        ),
    )
}


class Referral(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("client")
    )
    # The visit it was made at, if it was made from one.
    visit = models.ForeignKey(
        Visit, on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals"
    )
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("provider")
    )
    reason = models.CharField(_("reason"), max_length=20, choices=ReasonCategory.choices)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE
    )
    interpreter_language = models.ForeignKey(
        Language,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("interpreter language"),
        help_text=_("Leave empty if no interpreter is needed."),
    )
    accompaniment = models.CharField(
        _("accompaniment"), max_length=10, choices=Accompaniment.choices, blank=True
    )
    notes = EncryptedLongTextField(_("notes"), plaintext_max_length=4000)

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFTED
    )
    appointment_at = models.DateTimeField(_("appointment"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    followed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="referrals_followed",
        verbose_name=_("followed by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    # Optimistic concurrency: every change bumps it, and a change based on an older version
    # is refused, so two people acting at once cannot both win.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [
            models.Index(fields=["status", "appointment_at"]),
            models.Index(fields=["appointment_at"]),
            # Reports count the referrals made in a month.
            models.Index(fields=["created_at"]),
        ]

    def __str__(self) -> str:
        # Never personal data: this can end up in logs.
        return f"referral {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("referrals:referral_detail", args=[self.pk])

    def get_data_key(self) -> DataKey:
        return self.client.get_data_key()

    @property
    def is_closed(self) -> bool:
        return self.status == Status.CLOSED

    def available_transitions(self) -> list[Transition]:
        return [t for t in TRANSITIONS.values() if self.status in t.sources]

    def allows(self, action: str) -> bool:
        transition = TRANSITIONS.get(action)
        return transition is not None and self.status in transition.sources


class ReferralEvent(models.Model):
    """One step in a referral's history: who moved it from which status to which, and when."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=10, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=Status.choices)
    appointment_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        # Reports count the appointments kept or missed in a month.
        indexes = [models.Index(fields=["at"])]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} -> {self.to_status}"
