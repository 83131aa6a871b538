"""Funds, their budgets, cost guarantees against them and the invoices that follow."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from referrals.models.referrals import Referral
from referrals.money import AMOUNT, Money, currency_validator, non_negative_amount, positive_amount
from referrals.periods import Period, PeriodKind


class Fund(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=100, unique=True)
    currency = models.CharField(
        _("currency"),
        max_length=3,
        validators=[currency_validator],
        help_text=_("Three-letter code, such as CHF or EUR."),
    )
    period_kind = models.CharField(
        _("budget period"), max_length=5, choices=PeriodKind.choices, default=PeriodKind.YEAR
    )
    low_balance_threshold = models.DecimalField(
        _("warn when less than this is left"),
        **AMOUNT,
        null=True,
        blank=True,
        validators=[non_negative_amount],
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("fund")
        verbose_name_plural = _("funds")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("referrals:fund_detail", args=[self.pk])

    def money(self, amount: Decimal) -> Money:
        return Money(amount, self.currency)

    def period_containing(self, day: date) -> Period:
        return Period.containing(self.period_kind, day)

    def current_period(self) -> Period:
        return self.period_containing(timezone.localdate())


class FundBudget(models.Model):
    """What a fund may spend in one period (a year or a month, as the fund says)."""

    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="budgets")
    period_start = models.DateField(_("period start"))
    amount = models.DecimalField(_("budget"), **AMOUNT, validators=[non_negative_amount])
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["fund", "-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["fund", "period_start"], name="referrals_one_budget_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.fund} {self.period_start:%Y-%m}"


# Letters and digits that cannot be misread (no 0/O, 1/I/L): a voucher code is read out on the
# phone by hospital staff.
VOUCHER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
VOUCHER_LENGTH = 8


def new_voucher_code() -> str:
    """A random, non-sequential code: knowing one voucher says nothing about any other."""
    return "".join(secrets.choice(VOUCHER_ALPHABET) for _ in range(VOUCHER_LENGTH))


def display_voucher(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def compact_voucher(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


class GuaranteeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class CostGuarantee(models.Model):
    """A promise to a provider that a fund pays up to `amount` for one referral.

    It reserves that amount in the fund's period it was issued in until invoices use it up or
    a coordinator closes it, which releases what is left.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="guarantees")
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="guarantees")
    period_start = models.DateField(_("budget period"))
    amount = models.DecimalField(_("limit"), **AMOUNT, validators=[positive_amount])
    voucher_code = models.CharField(_("voucher code"), max_length=VOUCHER_LENGTH, unique=True)
    status = models.CharField(
        _("status"), max_length=6, choices=GuaranteeStatus.choices, default=GuaranteeStatus.OPEN
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(default=timezone.now)
    # Set when the guarantee was larger than what was left of the fund and a coordinator
    # said so explicitly: by how much it went over at that moment.
    override_shortfall = models.DecimalField(**AMOUNT, null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "id"]
        verbose_name = _("cost guarantee")
        verbose_name_plural = _("cost guarantees")
        indexes = [models.Index(fields=["fund", "period_start"])]

    def __str__(self) -> str:
        return f"guarantee {display_voucher(self.voucher_code)}"

    @property
    def voucher(self) -> str:
        return display_voucher(self.voucher_code)

    @property
    def limit(self) -> Money:
        return self.fund.money(self.amount)

    @property
    def is_open(self) -> bool:
        return self.status == GuaranteeStatus.OPEN

    @property
    def was_overridden(self) -> bool:
        return self.override_shortfall is not None


class InvoiceStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    CHECKED = "checked", _("Checked")
    NEGOTIATED = "negotiated", _("Negotiated down")
    PAID = "paid", _("Paid")
    WRITTEN_OFF = "written-off", _("Written off")


# Invoices the fund owes or has paid; a written-off invoice costs the fund nothing.
COUNTED_INVOICE_STATUSES = (
    InvoiceStatus.RECEIVED,
    InvoiceStatus.CHECKED,
    InvoiceStatus.NEGOTIATED,
    InvoiceStatus.PAID,
)
WAITING_INVOICE_STATUSES = (InvoiceStatus.RECEIVED, InvoiceStatus.CHECKED, InvoiceStatus.NEGOTIATED)


@dataclass(frozen=True)
class InvoiceStep:
    action: str
    label: str | Promise
    sources: frozenset[InvoiceStatus]
    target: InvoiceStatus
    verb: str
    needs_amount: bool = False


INVOICE_STEPS: dict[str, InvoiceStep] = {
    s.action: s
    for s in (
        InvoiceStep(
            "check",
            _("Mark as checked"),
            frozenset({InvoiceStatus.RECEIVED}),
            InvoiceStatus.CHECKED,
            "checked",
        ),
        InvoiceStep(
            "negotiate",
            _("Record a lower amount agreed"),
            frozenset({InvoiceStatus.RECEIVED, InvoiceStatus.CHECKED, InvoiceStatus.NEGOTIATED}),
            InvoiceStatus.NEGOTIATED,
            "negotiated",
            needs_amount=True,
        ),
        InvoiceStep(
            "pay",
            _("Mark as paid"),
            frozenset({InvoiceStatus.CHECKED, InvoiceStatus.NEGOTIATED}),
            InvoiceStatus.PAID,
            "paid",
        ),
        InvoiceStep(
            "write-off",
            _("Write off"),
            frozenset({InvoiceStatus.RECEIVED, InvoiceStatus.CHECKED, InvoiceStatus.NEGOTIATED}),
            InvoiceStatus.WRITTEN_OFF,
            "written_off",
        ),
    )
}


class Invoice(models.Model):
    """A provider's bill against a voucher."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    guarantee = models.ForeignKey(CostGuarantee, on_delete=models.PROTECT, related_name="invoices")
    provider_reference = models.CharField(_("provider's invoice number"), max_length=60, blank=True)
    invoice_date = models.DateField(_("invoice date"))
    amount_billed = models.DecimalField(_("amount billed"), **AMOUNT, validators=[positive_amount])
    # What the fund owes: the amount billed, or less once negotiated down.
    amount_due = models.DecimalField(_("amount due"), **AMOUNT, validators=[non_negative_amount])
    status = models.CharField(
        _("status"), max_length=12, choices=InvoiceStatus.choices, default=InvoiceStatus.RECEIVED
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-invoice_date", "id"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        indexes = [
            models.Index(fields=["status"]),
            # The coordinators' desk lists the invoices still to settle, oldest first; the
            # paid and written-off ones, most of them after a while, stay out of this index.
            models.Index(
                fields=["invoice_date", "id"],
                condition=models.Q(status__in=WAITING_INVOICE_STATUSES),
                name="referrals_waiting_invoice",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_due__lte=models.F("amount_billed")),
                name="referrals_invoice_due_at_most_billed",
            )
        ]

    def __str__(self) -> str:
        return f"invoice {self.pk}"

    def available_steps(self) -> list[InvoiceStep]:
        return [s for s in INVOICE_STEPS.values() if self.status in s.sources]

    @property
    def is_waiting(self) -> bool:
        return self.status in WAITING_INVOICE_STATUSES
