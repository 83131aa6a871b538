"""Referrals on the client timeline (see casework.timeline)."""

from __future__ import annotations

from django.utils import timezone

from casework.models import Client
from casework.timeline import TimelineEntry, register


def referral_entries(client: Client, limit: int | None) -> list[TimelineEntry]:
    referrals = client.referrals.select_related("provider", "interpreter_language").order_by(
        "-created_at"
    )
    if limit is not None:
        referrals = referrals[:limit]
    found = []
    for referral in referrals:
        referral.client = client  # the notes open with the client's key, already loaded
        found.append(
            TimelineEntry(
                timezone.localdate(referral.created_at),
                referral.created_at,
                "referral",
                "referrals/entries/referral.html",
                referral,
            )
        )
    return found


def register_referral_source() -> None:
    register("referrals", referral_entries)
