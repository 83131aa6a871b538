"""Erasing a person: crypto-shredding, and the retention rule that applies it automatically."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from casework.models import Client
from casework.services_addresses import address_service_erase_client
from core.audit import log_action
from core.fields import BlindIndexField, encrypted_fields, personal_models
from core.models import DataKey, User


class ErasureReason(models.TextChoices):
    REQUEST = "request", "the person asked"
    RETENTION = "retention", "retention period passed"
    MERGED = "merged", "merged into another record"


def _cleared_values(model: type[models.Model]) -> dict[str, Any]:
    values: dict[str, Any] = {f.attname: f.empty_value for f in encrypted_fields(model)}
    values.update(
        {f.attname: "" for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)}
    )
    return values


def client_erase(*, client: Client, actor: User | None, reason: ErasureReason) -> bool:
    """Destroy the person's data key and clear their sealed values and blind indexes.

    What stays is what statistics need and what cannot point at a person: dates, sites,
    topics, gender, age band, region, languages. Returns False if already erased.

    The ciphertext is cleared too, although without the key it is already unreadable: that
    keeps it out of future backups. Backups taken earlier hold ciphertext whose key is gone
    from the key table (which is backed up separately), so erasure reaches them as well.
    """
    with transaction.atomic():
        locked = Client.objects.select_for_update().get(pk=client.pk)
        if locked.is_erased:
            return False
        address_service_erase_client(client=locked, actor=actor)
        for model in personal_models():
            rows = (
                model._default_manager.filter(pk=locked.pk)
                if model is Client
                else model._default_manager.filter(client=locked)
            )
            rows.update(**_cleared_values(model))
        Client.objects.filter(pk=locked.pk).update(
            code=None, data_key=None, erased_at=timezone.now(), version=models.F("version") + 1
        )
        # Cards of duplicates merged into this person led here; now they lead nowhere.
        Client.objects.filter(merged_into=locked).update(code=None)
        if locked.data_key_id is not None:
            DataKey.objects.filter(pk=locked.data_key_id).delete()
        log_action(
            "casework.client.erased", actor=actor, obj=locked, details={"reason": reason.value}
        )
    client.refresh_from_db()
    return True


def retention_cutoff(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=settings.RETENTION_DAYS)


def clients_past_retention(now: datetime | None = None) -> models.QuerySet[Client]:
    return Client.objects.filter(
        erased_at__isnull=True, last_seen_at__lt=retention_cutoff(now)
    ).order_by("last_seen_at")


def apply_retention(now: datetime | None = None) -> int:
    """Erase everyone not seen within the retention period. Returns how many were erased."""
    erased = 0
    for client in clients_past_retention(now).iterator(chunk_size=500):
        if client_erase(client=client, actor=None, reason=ErasureReason.RETENTION):
            erased += 1
    return erased
