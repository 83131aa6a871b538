"""Merging a duplicate client into the record that stays.

Generic over the schema: every row of every installed model that points at the duplicate with
a foreign key moves to the survivor, so referrals, address assignments and whatever comes later
move too without this module knowing them. Rows with encrypted values are opened under the
duplicate's key and sealed again under the survivor's (`core.fields.open_all`). A model whose
rows cannot simply move (a uniqueness per client) defines a classmethod
`merge_clients(*, duplicate, survivor)` and does it itself.

Then the duplicate is erased (`casework.erasure.client_erase`): its data key is destroyed, so
whatever ciphertext a backup still holds can no longer be opened. What is left is a tombstone
whose code leads to the survivor.
"""

from __future__ import annotations

from django.apps import apps
from django.db import models, transaction

from casework.erasure import ErasureReason, client_erase
from casework.models import Client
from core.audit import log_action
from core.fields import encrypted_fields, open_all
from core.models import User

# The client's own fields a survivor takes over from the duplicate when it has none.
FILLABLE_FIELDS = (
    "name",
    "date_of_birth",
    "phone",
    "contact_notes",
    "gender",
    "age_band",
    "region",
    "interpreter",
)


class MergeError(Exception):
    pass


def _client_foreign_keys() -> list[models.ForeignKey]:
    return [
        field
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.ForeignKey)
        and field.related_model is Client
        and field.model is not Client
    ]


def _move_rows(field: models.ForeignKey, duplicate: Client, survivor: Client) -> int:
    model = field.model
    hook = getattr(model, "merge_clients", None)
    if hook is not None:
        hook(duplicate=duplicate, survivor=survivor)
        return 0
    rows = model._base_manager.filter(**{field.name: duplicate})
    if not encrypted_fields(model):
        return rows.update(**{field.name: survivor})
    moved = 0
    for row in rows.iterator(chunk_size=200):
        setattr(row, field.name, duplicate)  # open with the duplicate's key, already loaded
        open_all(row)
        setattr(row, field.name, survivor)
        row.save()
        moved += 1
    return moved


def client_merge(*, duplicate: Client, survivor: Client, actor: User) -> Client:
    """Move everything of `duplicate` to `survivor` and shred what remains of the duplicate."""
    if duplicate.pk is None or survivor.pk is None or duplicate.pk == survivor.pk:
        raise MergeError("A client cannot be merged into itself.")
    with transaction.atomic():
        # Lock both rows (in a fixed order, against deadlocks with a merge the other way).
        locked = {
            client.pk: client
            for client in Client.objects.select_for_update(of=("self",))
            .select_related("data_key")
            .filter(pk__in=[duplicate.pk, survivor.pk], erased_at__isnull=True)
            .order_by("pk")
        }
        if len(locked) != 2:
            raise MergeError("Both clients must exist and not be erased.")
        duplicate, survivor = locked[duplicate.pk], locked[survivor.pk]
        old_code = duplicate.code

        moved = {
            field.model._meta.label_lower: _move_rows(field, duplicate, survivor)
            for field in _client_foreign_keys()
        }
        # Earlier duplicates of the duplicate now lead straight to the survivor.
        Client.objects.filter(merged_into=duplicate).update(merged_into=survivor)
        filled = [
            name
            for name in FILLABLE_FIELDS
            if getattr(survivor, name) in (None, "") and getattr(duplicate, name) not in (None, "")
        ]
        for name in filled:
            setattr(survivor, name, getattr(duplicate, name))
        survivor.languages.add(*duplicate.languages.all())
        survivor.last_seen_at = max(survivor.last_seen_at, duplicate.last_seen_at)
        survivor.registered_at = min(survivor.registered_at, duplicate.registered_at)
        survivor.version += 1
        survivor.save()

        # Crypto-shred what is left of the duplicate, as any erasure does; then its code (on a
        # card someone still carries) leads to the survivor.
        duplicate.languages.clear()
        client_erase(client=duplicate, actor=actor, reason=ErasureReason.MERGED)
        Client.objects.filter(pk=duplicate.pk).update(code=old_code, merged_into=survivor)
        log_action(
            "casework.client.merged",
            actor=actor,
            obj=survivor,
            details={
                "duplicate": str(duplicate.pk),
                "moved": [f"{label}:{count}" for label, count in moved.items() if count],
                "filled": filled,
            },
        )
    return survivor
