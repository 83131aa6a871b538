"""The virtual residence address service: the organisation's postal addresses, their numbered
slots, who holds which slot, the waiting list and the mail that arrives for them.

A slot is held by at most one assignment at a time, enforced by a partial unique index on
`SlotAssignment.holds_slot`. An ended assignment keeps holding its slot through a quarantine
period, so that mail still arriving for the former holder is never handed to the next one.
"""

from __future__ import annotations

import calendar
import uuid
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.models.clients import Client
from core.fields import EncryptedLongTextField, EncryptedTextField, open_all
from core.models import DataKey, Site, User

NUMBER_PLACEHOLDER = "{number}"
MAX_SLOTS = 9999


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day where it has fewer days."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def assignment_months() -> int:
    return int(settings.ADDRESS_ASSIGNMENT_MONTHS)


def quarantine_days() -> int:
    return int(settings.ADDRESS_QUARANTINE_DAYS)


def quarantine_end(ended_on: date) -> date:
    return ended_on + timedelta(days=quarantine_days())


class PostalAddress(models.Model):
    """One of the organisation's postal addresses, offering a number of slots (boxes)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(
        _("internal name"), max_length=100, unique=True, help_text=_("For staff, e.g. “Office”.")
    )
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        related_name="postal_addresses",
        verbose_name=_("site"),
        help_text=_("Where the mail is kept and handed over."),
    )
    care_of = models.CharField(
        _("c/o line"), max_length=150, help_text=_("E.g. “c/o Solidarity Association”.")
    )
    street = models.CharField(_("street and number"), max_length=150)
    postcode_city = models.CharField(_("postcode and town"), max_length=100)
    country = models.CharField(_("country"), max_length=60, blank=True)
    box_format = models.CharField(
        _("numbering scheme"),
        max_length=40,
        default="Box {number}",
        help_text=_("How a slot is written on letters; {number} stands for the slot number."),
    )
    first_number = models.PositiveSmallIntegerField(_("first slot number"), default=1)
    slot_count = models.PositiveSmallIntegerField(_("number of slots"))
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("postal address")
        verbose_name_plural = _("postal addresses")
        constraints = [
            models.CheckConstraint(
                condition=Q(slot_count__gte=1, slot_count__lte=MAX_SLOTS),
                name="postal_address_slot_count_range",
            ),
            models.CheckConstraint(
                condition=Q(first_number__gte=0, first_number__lte=MAX_SLOTS),
                name="postal_address_first_number_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.box_format.count(NUMBER_PLACEHOLDER) != 1:
            raise ValidationError(
                {"box_format": _("Write {number} exactly once where the slot number goes.")}
            )

    def box_label(self, number: int) -> str:
        # A plain replace, not str.format: the scheme is typed by staff.
        return self.box_format.replace(NUMBER_PLACEHOLDER, str(number))

    @property
    def numbers(self) -> range:
        return range(self.first_number, self.first_number + self.slot_count)

    def sync_slots(self) -> None:
        """Create the slots the count asks for and retire the ones beyond it.

        Retired slots stay in the database for the history of their assignments and mail.
        The form refuses a count that would retire a slot still held.
        """
        wanted = set(self.numbers)
        existing = dict(self.slots.values_list("number", "retired"))
        AddressSlot.objects.bulk_create(
            [AddressSlot(address=self, number=n) for n in sorted(wanted - existing.keys())]
        )
        self.slots.filter(number__in=wanted, retired=True).update(retired=False)
        self.slots.exclude(number__in=wanted).filter(retired=False).update(retired=True)

    def held_numbers_outside(self, numbers: range) -> list[int]:
        """Numbers of slots still held (or in quarantine) that `numbers` would leave out."""
        return sorted(
            self.slots.filter(assignments__holds_slot=True)
            .exclude(number__in=list(numbers))
            .values_list("number", flat=True)
        )


class SlotQuerySet(models.QuerySet["AddressSlot"]):
    def free(self, today: date | None = None) -> SlotQuerySet:
        """Slots in service that no assignment holds, counting quarantine as held."""
        held = SlotAssignment.objects.filter(slot=OuterRef("pk"), holds_slot=True).filter(
            Q(ended_on=None) | Q(quarantine_until__gt=today or timezone.localdate())
        )
        return self.filter(retired=False).filter(~Exists(held))


class AddressSlot(models.Model):
    """One numbered box at a postal address."""

    address = models.ForeignKey(
        PostalAddress, on_delete=models.PROTECT, related_name="slots", verbose_name=_("address")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    retired = models.BooleanField(_("retired"), default=False)

    objects = SlotQuerySet.as_manager()

    class Meta:
        ordering = ["address", "number"]
        verbose_name = _("address slot")
        verbose_name_plural = _("address slots")
        constraints = [
            models.UniqueConstraint(fields=["address", "number"], name="address_slot_unique_number")
        ]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return reverse("casework:address_slots", args=[self.address_id])

    @property
    def label(self) -> str:
        return self.address.box_label(self.number)


class EndReason(models.TextChoices):
    HANDED_BACK = "handed-back", _("Handed back")
    MOVED_AWAY = "moved-away", _("Moved away")
    NOT_RENEWED = "not-renewed", _("Not renewed")
    ERASED = "erased", _("Record erased")


class AssignmentQuerySet(models.QuerySet["SlotAssignment"]):
    def active(self) -> AssignmentQuerySet:
        return self.filter(ended_on__isnull=True)


class SlotAssignment(models.Model):
    """A client holds a slot from `starts_on`; renewal moves `expires_on` on.

    `holds_slot` stays true while the assignment is active and through its quarantine after
    it ended; a partial unique index on it is the one-holder-per-slot rule.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slot = models.ForeignKey(
        AddressSlot, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("slot")
    )
    client = models.ForeignKey(
        Client,
        on_delete=models.PROTECT,
        related_name="address_assignments",
        verbose_name=_("client"),
    )
    name_on_letters = EncryptedTextField(
        _("name on letters"),
        plaintext_max_length=150,
        help_text=_("The name as the person wants it written on letters to this address."),
    )
    starts_on = models.DateField(_("valid from"))
    expires_on = models.DateField(_("valid until"))
    renewed_on = models.DateField(_("last renewed"), null=True, blank=True)
    ended_on = models.DateField(_("ended"), null=True, blank=True)
    end_reason = models.CharField(
        _("reason for ending"), max_length=12, choices=EndReason.choices, blank=True
    )
    quarantine_until = models.DateField(_("slot free again on"), null=True, blank=True)
    holds_slot = models.BooleanField(default=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-created_at"]
        verbose_name = _("address assignment")
        verbose_name_plural = _("address assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["slot"], condition=Q(holds_slot=True), name="one_holder_per_slot"
            ),
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(ended_on__isnull=True),
                name="one_active_address_per_client",
            ),
            models.CheckConstraint(
                condition=Q(expires_on__gt=models.F("starts_on")),
                name="address_assignment_expires_after_start",
            ),
            models.CheckConstraint(
                condition=(
                    Q(ended_on__isnull=True, end_reason="", quarantine_until__isnull=True)
                    | Q(
                        ended_on__isnull=False,
                        quarantine_until__gte=models.F("ended_on"),
                        end_reason__in=EndReason.values,
                    )
                ),
                name="address_assignment_ending_complete",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=False) | Q(holds_slot=True),
                name="address_assignment_active_holds_slot",
            ),
        ]
        indexes = [
            models.Index(
                fields=["expires_on"],
                condition=Q(ended_on__isnull=True),
                name="address_assignment_expiry",
            )
        ]

    def __str__(self) -> str:
        return f"address assignment {self.pk}"

    def get_absolute_url(self) -> str:
        if self.client.code is None:
            return self.slot.get_absolute_url()
        return reverse("casework:address_client", args=[self.client.code])

    def get_data_key(self) -> DataKey:
        return self.client.get_data_key()

    @property
    def is_active(self) -> bool:
        return self.ended_on is None

    def is_expired(self, today: date | None = None) -> bool:
        return self.is_active and self.expires_on < (today or timezone.localdate())

    def in_quarantine(self, today: date | None = None) -> bool:
        return self.quarantine_until is not None and self.quarantine_until > (
            today or timezone.localdate()
        )

    @classmethod
    def merge_clients(cls, *, duplicate: Client, survivor: Client) -> None:
        """Client merge hook: the history moves, re-sealed under the survivor's key.

        Two records that both hold an address are refused: one of the two addresses is in
        use on letters, and only staff can tell which one to end.
        """
        active = cls.objects.active().filter(client__in=[duplicate, survivor]).count()
        if active > 1:
            from casework.merge import MergeError

            raise MergeError("Both clients hold an address; end one of them before merging.")
        for row in cls.objects.filter(client=duplicate).select_related("client__data_key"):
            open_all(row)
            row.client = survivor
            row.save()

    @staticmethod
    def expiry_for(start: date) -> date:
        return add_months(start, assignment_months())

    def renewal_expiry(self, today: date) -> date:
        """A renewal runs from the current expiry, or from today if that has passed already."""
        return add_months(max(self.expires_on, today), assignment_months())


class WaitlistReason(models.TextChoices):
    ASSIGNED = "assigned", _("Got a slot")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class WaitlistEntry(models.Model):
    """A client waiting for a slot at an address that has none free."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    address = models.ForeignKey(
        PostalAddress, on_delete=models.PROTECT, related_name="waitlist", verbose_name=_("address")
    )
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="address_waitlist", verbose_name=_("client")
    )
    added_at = models.DateTimeField(_("waiting since"), default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.CharField(max_length=10, choices=WaitlistReason.choices, blank=True)

    class Meta:
        ordering = ["added_at"]
        verbose_name = _("waiting list entry")
        verbose_name_plural = _("waiting list entries")
        constraints = [
            models.UniqueConstraint(
                fields=["address", "client"],
                condition=Q(closed_at__isnull=True),
                name="waitlist_once_per_address",
            )
        ]

    def __str__(self) -> str:
        return f"waiting list entry {self.pk}"

    @classmethod
    def merge_clients(cls, *, duplicate: Client, survivor: Client) -> None:
        """Client merge hook: where both wait for the same address, the earlier entry stays."""
        waiting = cls.objects.filter(client__in=[duplicate, survivor], closed_at=None)
        kept: dict[uuid.UUID, WaitlistEntry] = {}
        for entry in waiting.order_by("added_at"):
            if entry.address_id in kept:
                entry.closed_at = timezone.now()
                entry.close_reason = WaitlistReason.WITHDRAWN
                entry.save(update_fields=["closed_at", "close_reason"])
            else:
                kept[entry.address_id] = entry
        cls.objects.filter(client=duplicate).update(client=survivor)


class SenderCategory(models.TextChoices):
    COURT = "court", _("Court")
    AUTHORITY = "authority", _("Authority")
    HEALTH = "health", _("Hospital / health")
    INSURER = "insurer", _("Insurer")
    EMPLOYER = "employer", _("Employer")
    PRIVATE = "private", _("Private")
    UNKNOWN = "unknown", _("Unknown")


class MailStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    HANDED_OVER = "handed-over", _("Handed over")
    RETURNED = "returned", _("Returned to sender")


class MailQuerySet(models.QuerySet["MailItem"]):
    def waiting(self) -> MailQuerySet:
        return self.filter(status=MailStatus.WAITING)

    def urgent_first(self) -> MailQuerySet:
        return self.order_by("-urgent", "received_on", "logged_at")


class MailItem(models.Model):
    """A letter received for the holder of a slot, until it is handed over or returned."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    assignment = models.ForeignKey(
        SlotAssignment, on_delete=models.PROTECT, related_name="mail", verbose_name=_("assignment")
    )
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="mail", verbose_name=_("client")
    )
    # Copied from the assignment so the desk list is scoped to a site without three joins.
    address = models.ForeignKey(
        PostalAddress, on_delete=models.PROTECT, related_name="mail", verbose_name=_("address")
    )
    received_on = models.DateField(_("received"))
    sender_category = models.CharField(_("sender"), max_length=10, choices=SenderCategory.choices)
    urgent = models.BooleanField(_("urgent"), default=False)
    note = EncryptedLongTextField(_("note"), plaintext_max_length=500)
    status = models.CharField(
        _("status"), max_length=12, choices=MailStatus.choices, default=MailStatus.WAITING
    )
    logged_at = models.DateTimeField(default=timezone.now, editable=False)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    handed_over_on = models.DateField(_("handed over"), null=True, blank=True)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handed over by"),
    )
    returned_on = models.DateField(_("returned to sender"), null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = MailQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-logged_at"]
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(status=MailStatus.WAITING, handed_over_on=None, returned_on=None)
                    | Q(
                        status=MailStatus.HANDED_OVER,
                        handed_over_on__isnull=False,
                        returned_on=None,
                    )
                    | Q(status=MailStatus.RETURNED, returned_on__isnull=False, handed_over_on=None)
                ),
                name="mail_item_status_matches_dates",
            )
        ]
        indexes = [
            models.Index(
                fields=["address", "-urgent", "received_on"],
                condition=Q(status=MailStatus.WAITING),
                name="mail_item_waiting",
            ),
            models.Index(fields=["received_on"], name="mail_item_received"),
        ]

    def __str__(self) -> str:
        return f"letter {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("casework:address_mail_detail", args=[self.pk])

    def get_data_key(self) -> DataKey:
        return self.client.get_data_key()

    @property
    def is_waiting(self) -> bool:
        return self.status == MailStatus.WAITING

    @property
    def waiting_days(self) -> int:
        end = self.handed_over_on or self.returned_on or timezone.localdate()
        return (end - self.received_on).days

    def hand_over(self, *, on: date, by: User) -> None:
        self.status = MailStatus.HANDED_OVER
        self.handed_over_on = on
        self.handed_over_by = by
        self.save(update_fields=["status", "handed_over_on", "handed_over_by"])

    def return_to_sender(self, *, on: date, by: User | None) -> None:
        self.status = MailStatus.RETURNED
        self.returned_on = on
        self.returned_by = by
        self.save(update_fields=["status", "returned_on", "returned_by"])
