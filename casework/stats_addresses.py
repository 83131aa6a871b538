"""Counts of the address service for the monthly report: aggregates only, nothing decrypted."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q

from casework.models.addresses import AddressSlot, MailItem, SenderCategory, SlotAssignment


@dataclass(frozen=True)
class AddressServiceCounts:
    slots_total: int
    # Assignments active on the last day of the period.
    slots_in_use: int
    assignments_started: int
    assignments_ended: int
    # Each by sender category; every category is present, with 0 where nothing came.
    letters_received: dict[str, int]
    letters_handed_over: dict[str, int]
    letters_returned: dict[str, int]


def _by_category(mail: Q, date_field: str, start: date, end: date) -> dict[str, int]:
    counts = dict.fromkeys(SenderCategory.values, 0)
    rows = (
        MailItem.objects.filter(**{f"{date_field}__range": (start, end)})
        .filter(mail)
        .values_list("sender_category")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts.update(dict(rows))
    return counts


def address_service_counts(
    *, start: date, end: date, site_ids: Collection[uuid.UUID] | None = None
) -> AddressServiceCounts:
    """Counts for the days `start` to `end` (both included), for all sites or the given ones.

    Sites are those where the addresses' mail is kept. Slots in use are counted on `end`.
    """
    at_site = Q() if site_ids is None else Q(address__site_id__in=list(site_ids))
    slot_at_site = Q() if site_ids is None else Q(slot__address__site_id__in=list(site_ids))
    assignments = SlotAssignment.objects.filter(slot_at_site)
    return AddressServiceCounts(
        slots_total=AddressSlot.objects.filter(retired=False, address__is_active=True)
        .filter(at_site)
        .count(),
        slots_in_use=assignments.filter(starts_on__lte=end)
        .filter(Q(ended_on=None) | Q(ended_on__gt=end))
        .count(),
        assignments_started=assignments.filter(starts_on__range=(start, end)).count(),
        assignments_ended=assignments.filter(ended_on__range=(start, end)).count(),
        letters_received=_by_category(at_site, "received_on", start, end),
        letters_handed_over=_by_category(at_site, "handed_over_on", start, end),
        letters_returned=_by_category(at_site, "returned_on", start, end),
    )
