"""Writing and verifying the audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from core.models import AuditEntry, User

GENESIS = "0" * 64
# An arbitrary constant naming the PostgreSQL advisory lock that serialises appends, so two
# writers never chain onto the same predecessor.
_CHAIN_LOCK = 727_001

DetailValue = str | int | bool | None | list[str] | list[int]


def log_action(
    action: str,
    *,
    actor: User | None,
    obj: models.Model | None = None,
    ref: str = "",
    object_type: str = "",
    details: dict[str, DetailValue] | None = None,
) -> AuditEntry:
    """Append one entry. `obj` (or `ref` + `object_type`) names the object by its public id.

    Callers pass codes, counts and field names in `details` — never the values of personal
    fields.
    """
    if obj is not None:
        ref = str(obj.pk)
        object_type = obj._meta.label_lower
    if actor is not None and not actor.is_authenticated:
        actor = None
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])
        previous = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
        entry = AuditEntry(
            at=timezone.now(),
            actor=actor,
            action=action,
            object_type=object_type,
            object_ref=ref,
            details=details or {},
            prev_hash=previous or GENESIS,
        )
        entry.hash = entry.compute_hash()
        entry.save()
    return entry


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken_id: int | None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.first_broken_id is None


def _entries() -> Iterator[AuditEntry]:
    return AuditEntry.objects.order_by("id").iterator(chunk_size=2000)


def verify_chain() -> ChainReport:
    """Walk the whole chain and report the first entry that does not fit."""
    expected_prev = GENESIS
    checked = 0
    for entry in _entries():
        if entry.prev_hash != expected_prev:
            return ChainReport(checked, entry.id, "does not point at the entry before it")
        if entry.compute_hash() != entry.hash:
            return ChainReport(checked, entry.id, "content does not match its hash")
        expected_prev = entry.hash
        checked += 1
    return ChainReport(checked, None)


def actor_of(request: Any) -> User | None:
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None
