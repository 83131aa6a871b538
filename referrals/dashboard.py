"""What the coordinators' referral desk shows: each part a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils import timezone

from referrals import ledger
from referrals.models import WAITING_INVOICE_STATUSES, Fund, Invoice, Referral, Status

# Rows shown per list; the count says how many there are in all.
LIST_LIMIT = 50


@dataclass(frozen=True)
class Capped:
    rows: list[Any]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


def _capped(queryset: QuerySet[Any]) -> Capped:
    rows = list(queryset[:LIST_LIMIT])
    total = len(rows) if len(rows) < LIST_LIMIT else queryset.count()
    return Capped(rows, total)


def status_counts() -> list[tuple[str, str, int]]:
    """(status, label, count) for every status, in lifecycle order, zeros included."""
    # COUNT(*), not COUNT(id): the status index alone answers it (an index-only scan),
    # without reading 200,000 wide rows at the design scale.
    counts = dict(
        Referral.objects.order_by()
        .values_list("status")
        .annotate(n=Count("*"))
        .values_list("status", "n")
    )
    return [(status.value, str(status.label), counts.get(status.value, 0)) for status in Status]


def appointments_between(start: datetime, end: datetime) -> Capped:
    return _capped(
        Referral.objects.filter(
            status=Status.BOOKED, appointment_at__gte=start, appointment_at__lt=end
        )
        .select_related("client", "provider", "interpreter_language", "followed_by")
        .order_by("appointment_at")
    )


def overdue_outcomes_query(now: datetime) -> QuerySet[Referral]:
    """Referrals still without an outcome N days after their appointment (N a setting)."""
    cutoff = now - timedelta(days=settings.REFERRAL_OUTCOME_OVERDUE_DAYS)
    return (
        Referral.objects.exclude(status=Status.CLOSED)
        .filter(appointment_at__lt=cutoff)
        .select_related("client", "provider", "followed_by")
        .order_by("appointment_at")
    )


def overdue_outcomes(now: datetime) -> Capped:
    return _capped(overdue_outcomes_query(now))


def waiting_invoices_query() -> QuerySet[Invoice]:
    return (
        Invoice.objects.filter(status__in=WAITING_INVOICE_STATUSES)
        .select_related("guarantee__fund", "guarantee__referral__provider")
        .order_by("invoice_date", "id")
    )


def waiting_invoices() -> Capped:
    return _capped(waiting_invoices_query())


def desk(now: datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    return {
        "status_counts": status_counts(),
        "appointments": appointments_between(now, now + timedelta(days=7)),
        "overdue": overdue_outcomes(now),
        "overdue_days": settings.REFERRAL_OUTCOME_OVERDUE_DAYS,
        "invoices": waiting_invoices(),
        "funds": ledger.funds_with_current_figures(
            Fund.objects.filter(is_active=True), timezone.localdate(now)
        ),
    }
