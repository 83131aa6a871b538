"""Per-person data keys (envelope encryption).

Each client gets a random 256-bit data key. It is stored only wrapped (sealed) by the current
master key, which lives outside the database. Destroying the row destroys the key, and with it
every value sealed under it: crypto-shredding.

The table is deliberately kept apart from the data it protects: nothing references it with a
database constraint, and `make backup` dumps it separately from the case data. Restoring an old
data backup together with the current key table leaves erased people unreadable.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

from django.db import models
from django.utils import timezone

from core import crypto


class DataKey(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wrapped = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "data key"

    def __str__(self) -> str:
        return f"data key {self.short_id}"

    @property
    def short_id(self) -> str:
        """The key id written into every value sealed under this key."""
        return self.id.hex[:12]

    @property
    def master_key_id(self) -> str:
        return crypto.token_key_id(self.wrapped)

    def _aad(self) -> bytes:
        return f"core.datakey:{self.id}".encode()

    @classmethod
    def generate(cls) -> DataKey:
        key = cls.fresh()
        key.save()
        return key

    @classmethod
    def fresh(cls) -> DataKey:
        """A new random key, wrapped but not saved yet (for `bulk_create`)."""
        key = cls()
        key._set_plain(os.urandom(crypto.KEY_BYTES))
        return key

    def _set_plain(self, plain: bytes) -> None:
        self.wrapped = crypto.seal_with_ring(crypto.master_ring(), plain, self._aad())
        self._plain = plain

    def plain(self) -> bytes:
        """The unwrapped key, kept on this instance for the rest of the request."""
        cached: bytes | None = getattr(self, "_plain", None)
        if cached is None:
            cached = crypto.unseal_with_ring(crypto.master_ring(), self.wrapped, self._aad())
            self._plain = cached
        return cached

    def rewrap(self) -> bool:
        """Wrap under the current master key if needed. True when it changed."""
        if self.master_key_id == crypto.master_ring().current_id:
            return False
        self._set_plain(self.plain())
        return True

    def seal(self, plaintext: bytes, aad: bytes) -> str:
        return crypto.seal(self.plain(), self.short_id, plaintext, aad)

    def unseal(self, token: str, aad: bytes) -> bytes:
        if crypto.token_key_id(token) != self.short_id:
            raise crypto.DecryptionError("Value is sealed under another data key.")
        return crypto.unseal(token, self.plain(), aad)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        self.__dict__.pop("_plain", None)
        return super().delete(*args, **kwargs)
