"""Encrypted model fields and the blind-index field.

A model with encrypted fields defines `get_data_key() -> DataKey` (the data key of the person
the row is about) and, unless it is the client itself, a direct foreign key `client`. Values
are sealed under that key with associated data naming model, field and row, so a value copied
to another row, field or person does not open.

Reading is lazy: a row loaded from the database holds `Sealed` tokens and decrypts a field only
when the attribute is read, so pages pay for what they show. Writing goes through `save()` or
`bulk_create()`, which know the row; a `QuerySet.update()` with plaintext is refused.

Only `isnull` can be asked of an encrypted column: equality, containment, ranges and ordering
cannot work on ciphertext and raise `EncryptedFieldError` instead of returning nothing.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import FieldError
from django.db import models
from django.db.models.expressions import Col
from django.db.models.lookups import Exact, IsNull
from django.db.models.query_utils import DeferredAttribute
from django.utils.functional import cached_property

from core import crypto

if TYPE_CHECKING:
    from core.models.keys import DataKey

logger = logging.getLogger("core.crypto")

_TOKENS = "_sealed_tokens"


class EncryptedFieldError(FieldError):
    """A query asked something of an encrypted column that ciphertext cannot answer."""


class Sealed:
    """A sealed value as stored, not yet opened. Its repr never shows anything."""

    __slots__ = ("token",)

    def __init__(self, token: str) -> None:
        self.token = token

    def __repr__(self) -> str:
        return "<Sealed>"

    def __str__(self) -> str:
        return "[encrypted]"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sealed) and other.token == self.token

    def __hash__(self) -> int:
        return hash(self.token)


class EncryptedAttribute(DeferredAttribute):
    """Opens the sealed value on first read and remembers the token it came from."""

    field: EncryptedField

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if isinstance(value, Sealed):
            plain = self.field.open(instance, value)
            instance.__dict__[self.field.attname] = plain
            instance.__dict__.setdefault(_TOKENS, {})[self.field.attname] = (value.token, plain)
            return plain
        return value

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.field.attname] = value


class EncryptedCol(Col):
    """The column of an encrypted field. Selecting it is fine; sorting by it is refused."""

    def resolve_expression(self, *args: Any, **kwargs: Any) -> Any:
        # Columns are resolved again only where an expression is built on them (ORDER BY);
        # plain selects and lookups never get here.
        raise EncryptedFieldError(
            f"{self.target.model._meta.label}.{self.target.name} is encrypted: rows cannot "
            "be sorted or computed by it."
        )


class _EncryptedColumnLookup:
    """Compiles the column as it is: resolving it again would look like an ORDER BY."""

    lhs: Any

    def process_lhs(self, compiler: Any, connection: Any, lhs: Any = None) -> Any:
        return compiler.compile(lhs if lhs is not None else self.lhs)


class EncryptedIsNull(_EncryptedColumnLookup, IsNull):
    pass


class EncryptedIsEmpty(_EncryptedColumnLookup, Exact):
    """`field=""` asks whether a value was given at all, which the stored token answers."""

    def get_prep_lookup(self) -> Any:
        if self.rhs != "":
            field = self.lhs.target
            raise EncryptedFieldError(
                f"{field.model._meta.label}.{field.name} is encrypted: it can only be compared "
                'with "" (no value). Search through a blind index instead.'
            )
        return self.rhs


class EncryptedField(models.TextField):
    """Base of the encrypted fields: a text column holding a sealed token, or ""/NULL."""

    descriptor_class = EncryptedAttribute
    empty_value: Any = ""

    def __init__(self, *args: Any, plaintext_max_length: int | None = None, **kwargs: Any):
        self.plaintext_max_length = plaintext_max_length
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.plaintext_max_length is not None:
            kwargs["plaintext_max_length"] = self.plaintext_max_length
        return name, path, args, kwargs

    # Plaintext <-> bytes, per field type.
    def serialise(self, value: Any) -> bytes:
        return str(value).encode()

    def deserialise(self, data: bytes) -> Any:
        return data.decode()

    def _aad(self, instance: models.Model) -> bytes:
        if instance.pk is None:
            raise EncryptedFieldError(
                f"{self.model._meta.label}.{self.name} needs the row's id before it is sealed."
            )
        return f"{self.model._meta.label_lower}.{self.name}:{instance.pk}".encode()

    def _data_key(self, instance: models.Model) -> DataKey:
        get_key = getattr(instance, "get_data_key", None)
        if get_key is None:
            raise EncryptedFieldError(f"{self.model._meta.label} must define get_data_key().")
        key: DataKey = get_key()
        return key

    def seal(self, instance: models.Model, value: Any) -> str:
        return self._data_key(instance).seal(self.serialise(value), self._aad(instance))

    def open(self, instance: models.Model, sealed: Sealed) -> Any:
        try:
            return self.deserialise(
                self._data_key(instance).unseal(sealed.token, self._aad(instance))
            )
        except crypto.DecryptionError as error:
            # The id is pseudonymous; the value, sealed or not, is never logged.
            logger.error(
                "Decryption failed for %s.%s of row %s: %s",
                self.model._meta.label,
                self.name,
                instance.pk,
                error.__class__.__name__,
            )
            raise

    def get_col(self, alias: str, output_field: Any = None) -> Col:
        return EncryptedCol(alias, self, output_field or self)

    @cached_property
    def cached_col(self) -> Col:
        return EncryptedCol(self.model._meta.db_table, self)

    # Database round trip.
    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return self.empty_value if value == "" else None
        return Sealed(value)

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, Sealed):
            return value.token
        if value == "":
            return ""
        raise EncryptedFieldError(
            f"{self.model._meta.label}.{self.name} is encrypted: write it with save() or "
            "bulk_create(), which know the row, not with update() or a filter."
        )

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = model_instance.__dict__.get(self.attname)
        if value is None or value == "" or isinstance(value, Sealed):
            return value
        tokens: dict[str, tuple[str, Any]] = model_instance.__dict__.setdefault(_TOKENS, {})
        known = tokens.get(self.attname)
        if known is not None and known[1] == value:
            return Sealed(known[0])
        token = self.seal(model_instance, value)
        tokens[self.attname] = (token, value)
        return Sealed(token)

    def value_to_string(self, obj: models.Model) -> str:
        """Serialisers (dumpdata) get the sealed token, never the plaintext."""
        sealed = self.pre_save(obj, add=False)
        return "" if sealed is None or sealed == "" else sealed.token

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "isnull":
            return EncryptedIsNull
        if lookup_name == "exact":
            return EncryptedIsEmpty
        raise EncryptedFieldError(
            f"{self.model._meta.label}.{self.name} is encrypted: a '{lookup_name}' lookup "
            "cannot work on it. Search through a blind index instead."
        )

    def get_transform(self, lookup_name: str) -> Any:
        raise EncryptedFieldError(
            f"{self.model._meta.label}.{self.name} is encrypted: '{lookup_name}' cannot work on it."
        )

    def validate(self, value: Any, model_instance: models.Model | None) -> None:
        super().validate(value, model_instance)
        if (
            self.plaintext_max_length is not None
            and isinstance(value, str)
            and len(value) > self.plaintext_max_length
        ):
            raise forms.ValidationError(
                forms.CharField.default_error_messages.get("max_length", "Too long."),
                code="max_length",
            )


class EncryptedTextField(EncryptedField):
    """Short text (a name, a phone number) — a one-line input in forms."""

    def formfield(self, **kwargs: Any) -> Any:
        defaults: dict[str, Any] = {
            "form_class": forms.CharField,
            "max_length": self.plaintext_max_length,
            "widget": forms.TextInput,
        }
        defaults.update(kwargs)
        return models.Field.formfield(self, **defaults)


class EncryptedLongTextField(EncryptedField):
    """Free text (notes) — a text area in forms."""

    def formfield(self, **kwargs: Any) -> Any:
        defaults: dict[str, Any] = {
            "form_class": forms.CharField,
            "max_length": self.plaintext_max_length,
            "widget": forms.Textarea,
        }
        defaults.update(kwargs)
        return models.Field.formfield(self, **defaults)


class EncryptedDateField(EncryptedField):
    """A date (of birth). No value is NULL."""

    empty_value = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("null", True)
        super().__init__(*args, **kwargs)

    def serialise(self, value: Any) -> bytes:
        if not isinstance(value, date):
            raise EncryptedFieldError(f"{self.name} takes a date, not {type(value).__name__}.")
        return value.isoformat().encode()

    def deserialise(self, data: bytes) -> date:
        return date.fromisoformat(data.decode())

    def value_from_object(self, obj: models.Model) -> Any:
        # Serialisers output a date as it is, without asking value_to_string for the token;
        # as text, forms still show it and dumpdata gets the token.
        value = super().value_from_object(obj)
        return value.isoformat() if isinstance(value, date) else value

    def formfield(self, **kwargs: Any) -> Any:
        defaults: dict[str, Any] = {
            "form_class": forms.DateField,
            "widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        defaults.update(kwargs)
        return models.Field.formfield(self, **defaults)


class BlindIndexField(models.CharField):
    """A keyed, truncated HMAC of another (encrypted) field's normalised value.

    Recomputed on save whenever the source field's plaintext is loaded, so a changed name
    gets a new index, and a rebuild after blind-index key rotation is "read, then save".
    """

    def __init__(self, *args: Any, source: str, kind: crypto.IndexKind, **kwargs: Any):
        self.source = source
        self.kind: crypto.IndexKind = kind
        kwargs.setdefault("max_length", crypto.INDEX_HEX_CHARS)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs["kind"] = self.kind
        for key, default in (
            ("max_length", crypto.INDEX_HEX_CHARS),
            ("blank", True),
            ("default", ""),
            ("db_index", True),
            ("editable", False),
        ):
            if kwargs.get(key) == default:
                kwargs.pop(key)
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        source = model_instance.__dict__.get(self.source, Sealed(""))
        if isinstance(source, Sealed):
            # Not read in this request, so not changed: the stored index stands.
            return getattr(model_instance, self.attname)
        value = crypto.blind_index(self.kind, source)
        setattr(model_instance, self.attname, value)
        return value


def encrypted_fields(model: type[models.Model]) -> list[EncryptedField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedField)]


def personal_models() -> list[type[models.Model]]:
    """Every installed model that holds encrypted values."""
    from django.apps import apps

    return [model for model in apps.get_models() if encrypted_fields(model)]


def open_all(instance: models.Model) -> None:
    """Decrypt every encrypted field now and forget the tokens.

    The next save seals everything afresh under whatever data key the instance then points at —
    used when a record moves to another person (merge) or to a new data key (re-encryption).
    """
    for field in encrypted_fields(type(instance)):
        getattr(instance, field.attname)
    instance.__dict__.pop(_TOKENS, None)
