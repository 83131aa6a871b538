"""Key rotation without downtime.

1. Put a new master key first in ENCRYPTION_KEYS (keep the old one after it) and restart.
2. `manage.py rotate_keys` re-wraps every data key under the new master key. It touches keys,
   not data, so it is fast; it works in batches, skips what is done, and can be interrupted
   and run again. Afterwards the old master key can be removed from the ring.
3. `--reencrypt` also gives every client a new data key and re-seals their values.
4. `--blind-index`, after putting a new key first in BLIND_INDEX_KEYS, rebuilds the indexes;
   searches use every key in the ring meanwhile, so search keeps working throughout.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from tqdm import tqdm

from core import crypto
from core.audit import log_action
from core.fields import BlindIndexField, encrypted_fields, open_all, personal_models
from core.models import DataKey


def _client_model() -> Any:
    # Imported late: core does not depend on casework at import time.
    from casework.models import Client

    return Client


class Command(BaseCommand):
    help = "Re-wrap data keys under the current master key; optionally re-encrypt or re-index."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--reencrypt",
            action="store_true",
            help="Also give each client a new data key and re-seal all their values.",
        )
        parser.add_argument(
            "--older-than",
            help="With --reencrypt: only clients whose data key is older than this ISO time "
            "(to resume an interrupted run, pass the time the first run printed).",
        )
        parser.add_argument(
            "--blind-index",
            action="store_true",
            help="Rebuild every blind index under the current blind-index key.",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        self.batch_size: int = options["batch_size"]
        self.progress = not options["no_progress"]
        ring = crypto.master_ring()
        self.stdout.write(f"Current master key: {ring.current_id}.")
        rewrapped = self.rewrap_data_keys(ring.current_id)
        self.stdout.write(f"Re-wrapped {rewrapped} data key(s).")
        details: dict[str, Any] = {"master_key": ring.current_id, "rewrapped": rewrapped}
        if options["reencrypt"]:
            started = self.parse_older_than(options["older_than"])
            self.stdout.write(
                "Re-encrypting clients whose data key is older than "
                f"{started.isoformat()} (pass --older-than {started.isoformat()} to resume)."
            )
            details["reencrypted"] = self.reencrypt_clients(started)
        if options["blind_index"]:
            details["reindexed"] = self.rebuild_blind_indexes()
        log_action("core.keys.rotated", actor=None, details=details)
        self.stdout.write(self.style.SUCCESS("Done."))

    def parse_older_than(self, value: str | None) -> datetime:
        if not value:
            return timezone.now()
        parsed = parse_datetime(value)
        if parsed is None:
            raise CommandError(f"--older-than must be an ISO date and time, not {value!r}.")
        return parsed

    def rewrap_data_keys(self, current_id: str) -> int:
        stale = DataKey.objects.exclude(wrapped__startswith=f"{crypto.FORMAT}.{current_id}.")
        total = stale.count()
        done = 0
        with tqdm(total=total, desc="data keys", disable=not self.progress) as bar:
            while True:
                with transaction.atomic():
                    batch = list(stale.order_by("pk")[: self.batch_size].select_for_update())
                    if not batch:
                        break
                    for key in batch:
                        key.rewrap()
                    DataKey.objects.bulk_update(batch, ["wrapped"])
                done += len(batch)
                bar.update(len(batch))
        return done

    def reencrypt_clients(self, older_than: datetime) -> int:
        Client = _client_model()
        pending = Client.objects.filter(
            erased_at__isnull=True, data_key__created_at__lt=older_than
        ).order_by("pk")
        dependants = [m for m in personal_models() if m is not Client]
        total = pending.count()
        done = 0
        with tqdm(total=total, desc="clients", disable=not self.progress) as bar:
            for client_id in pending.values_list("pk", flat=True).iterator():
                with transaction.atomic():
                    client = (
                        Client.objects.select_for_update(of=("self",))
                        .select_related("data_key")
                        .get(pk=client_id)
                    )
                    self.reencrypt_one(client, dependants)
                done += 1
                bar.update(1)
        return done

    def reencrypt_one(self, client: Any, dependants: list[type[models.Model]]) -> None:
        record: Any
        old_key = client.data_key
        records = [client]
        for model in dependants:
            records.extend(model._default_manager.filter(client=client))
        for record in records:
            open_all(record)
        client.data_key = DataKey.generate()
        for record in records:
            if record is not client:
                record.client = client
            names = [f.attname for f in encrypted_fields(type(record))]
            record.save(update_fields=names)
        client.save(update_fields=["data_key"])
        old_key.delete()

    def rebuild_blind_indexes(self) -> int:
        """Read each indexed value and save its index again, now under the current key."""
        Client = _client_model()
        index_fields = [f for f in Client._meta.concrete_fields if isinstance(f, BlindIndexField)]
        names = [f.attname for f in index_fields]
        rows = Client.objects.filter(erased_at__isnull=True).select_related("data_key")
        rebuilt = 0
        with tqdm(total=rows.count(), desc="blind indexes", disable=not self.progress) as bar:
            for client in rows.iterator(chunk_size=self.batch_size):
                for field in index_fields:
                    getattr(client, field.source)
                client.save(update_fields=names)
                rebuilt += 1
                bar.update(1)
        return rebuilt
