"""Export the provider directory to CSV and import it back, all or nothing.

The file has one row per provider. Lists (specialities, languages, what they accept) are
joined with "; ". Languages are written as their codes, acceptances and kinds as their codes,
so a file written in one language of the interface reads back in any other.

An import checks every row before it writes anything: a file with one bad row imports nothing,
and the errors name the row (as numbered in a spreadsheet, the header being row 1), the column
and the problem. Rows with an id update that provider (or create it with that id); rows without
one create a new provider. Providers missing from the file are left alone.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from casework.models import Language
from referrals.models import Acceptance, Provider, ProviderKind, Speciality

COLUMNS = [
    "id",
    "name",
    "kind",
    "specialities",
    "languages",
    "accepts",
    "contact_person",
    "address",
    "phone",
    "email",
    "website",
    "availability",
    "monthly_capacity",
    "trust_note",
    "active",
]
REQUIRED_COLUMNS = {"name", "kind"}
LIST_SEPARATOR = ";"
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
# A cell starting with one of these is run as a formula by spreadsheet programs. Export
# prefixes such cells with an apostrophe, which spreadsheets hide, and import takes it off.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_YES = {"yes", "true", "1"}
_NO = {"no", "false", "0"}


def _defuse(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _restore(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(_FORMULA_START) else value


def _join(values: Iterable[str]) -> str:
    return f"{LIST_SEPARATOR} ".join(values)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]


def provider_row(provider: Provider) -> dict[str, str]:
    """A provider as one CSV row (specialities and languages must be prefetched)."""
    return {
        "id": str(provider.id),
        "name": provider.name,
        "kind": provider.kind,
        "specialities": _join(s.name for s in provider.specialities.all()),
        "languages": _join(sorted(lang.code for lang in provider.languages.all())),
        "accepts": _join(a.value for a in provider.acceptances),
        "contact_person": provider.contact_person,
        "address": provider.address,
        "phone": provider.phone,
        "email": provider.email,
        "website": provider.website,
        "availability": provider.availability,
        "monthly_capacity": ""
        if provider.monthly_capacity is None
        else str(provider.monthly_capacity),
        "trust_note": provider.trust_note,
        "active": "yes" if provider.is_active else "no",
    }


def export_csv(providers: Iterable[Provider]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for provider in providers:
        writer.writerow({k: _defuse(v) for k, v in provider_row(provider).items()})
    return out.getvalue()


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


class DirectoryImportError(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} problem(s) in the file")
        self.errors = errors


class ProviderRowForm(forms.Form):
    """One row of the file. Validates and normalises; writes nothing."""

    id = forms.UUIDField(required=False)
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=ProviderKind.choices)
    specialities = forms.CharField(required=False)
    languages = forms.CharField(required=False)
    accepts = forms.CharField(required=False)
    contact_person = forms.CharField(max_length=200, required=False)
    address = forms.CharField(required=False)
    phone = forms.CharField(max_length=40, required=False)
    email = forms.EmailField(required=False)
    website = forms.URLField(required=False, assume_scheme="https")
    availability = forms.CharField(max_length=200, required=False)
    monthly_capacity = forms.IntegerField(min_value=0, required=False)
    trust_note = forms.CharField(required=False)
    active = forms.CharField(required=False)

    def __init__(self, *args: Any, languages_by_code: dict[str, Language], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.languages_by_code = languages_by_code

    def clean_specialities(self) -> list[str]:
        names = _split(self.cleaned_data["specialities"])
        too_long = [n for n in names if len(n) > 80]
        if too_long:
            raise ValidationError(_("A speciality is longer than 80 characters."))
        unique: dict[str, str] = {}
        for name in names:
            unique.setdefault(name.casefold(), name)
        return list(unique.values())

    def clean_languages(self) -> list[Language]:
        codes = [c.lower() for c in _split(self.cleaned_data["languages"])]
        unknown = [c for c in codes if c not in self.languages_by_code]
        if unknown:
            raise ValidationError(
                _("Unknown language code(s): %(codes)s."), params={"codes": ", ".join(unknown)}
            )
        return [self.languages_by_code[c] for c in dict.fromkeys(codes)]

    def clean_accepts(self) -> list[Acceptance]:
        values = _split(self.cleaned_data["accepts"])
        valid = {a.value for a in Acceptance}
        unknown = [v for v in values if v not in valid]
        if unknown:
            raise ValidationError(
                _("Unknown value(s): %(values)s. Use %(valid)s."),
                params={"values": ", ".join(unknown), "valid": ", ".join(sorted(valid))},
            )
        return [Acceptance(v) for v in dict.fromkeys(values)]

    def clean_active(self) -> bool:
        value = self.cleaned_data["active"].strip().lower()
        if value == "" or value in _YES:
            return True
        if value in _NO:
            return False
        raise ValidationError(_('Write "yes" or "no".'))


def _read_rows(data: bytes) -> tuple[list[str], list[dict[str, str]]]:
    if len(data) > MAX_BYTES:
        raise DirectoryImportError([RowError(0, "", gettext("The file is larger than 5 MB."))])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DirectoryImportError(
            [RowError(0, "", gettext("The file is not UTF-8 text. Save it as CSV UTF-8."))]
        ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    missing = sorted(REQUIRED_COLUMNS - set(header))
    unknown = [h for h in header if h not in COLUMNS]
    problems = []
    if missing:
        problems.append(
            RowError(1, ", ".join(missing), gettext("Required column missing from the header."))
        )
    if unknown:
        problems.append(RowError(1, ", ".join(unknown), gettext("Unknown column.")))
    if problems:
        raise DirectoryImportError(problems)
    rows: list[dict[str, str]] = []
    for record in reader:
        if None in record:
            raise DirectoryImportError(
                [RowError(reader.line_num, "", gettext("This row has more cells than the header."))]
            )
        rows.append({k: _restore(v or "") for k, v in record.items()})
        if len(rows) > MAX_ROWS:
            raise DirectoryImportError([RowError(0, "", gettext("The file has too many rows."))])
    return header, rows


def parse(data: bytes) -> list[dict[str, Any]]:
    """Check the whole file: the cleaned rows, or `DirectoryImportError` naming every problem."""
    _header, rows = _read_rows(data)
    languages_by_code = {lang.code.lower(): lang for lang in Language.objects.all()}
    cleaned: list[dict[str, Any]] = []
    errors: list[RowError] = []
    seen_ids: dict[uuid.UUID, int] = {}
    # Row 1 is the header; a spreadsheet shows the first provider as row 2.
    for number, row in enumerate(rows, start=2):
        if not any(value.strip() for value in row.values()):
            continue
        form = ProviderRowForm(row, languages_by_code=languages_by_code)
        if not form.is_valid():
            for column, messages in form.errors.items():
                errors.extend(RowError(number, column, str(m)) for m in messages)
            continue
        provider_id = form.cleaned_data["id"]
        if provider_id is not None:
            if provider_id in seen_ids:
                errors.append(
                    RowError(
                        number,
                        "id",
                        gettext("The same id is already in row %(row)s.")
                        % {"row": seen_ids[provider_id]},
                    )
                )
                continue
            seen_ids[provider_id] = number
        cleaned.append({**form.cleaned_data, "_row": number, "_columns": set(row)})
    if errors:
        raise DirectoryImportError(errors)
    return cleaned


_SCALAR_FIELDS = [
    "name",
    "kind",
    "contact_person",
    "address",
    "phone",
    "email",
    "website",
    "availability",
    "monthly_capacity",
    "trust_note",
]


def apply(rows: list[dict[str, Any]]) -> ImportReport:
    """Write the checked rows in one transaction. A column absent from the file is left as is."""
    report = ImportReport()
    ids = [row["id"] for row in rows if row["id"] is not None]
    existing = {p.id: p for p in Provider.objects.filter(id__in=ids).for_listing()}
    with transaction.atomic():
        for row in rows:
            columns: set[str] = row["_columns"]
            provider = existing.get(row["id"]) if row["id"] is not None else None
            before = provider_row(provider) if provider is not None else None
            if provider is None:
                provider = Provider(id=row["id"]) if row["id"] is not None else Provider()
            for name in _SCALAR_FIELDS:
                if name in columns:
                    setattr(provider, name, row[name])
            if "accepts" in columns:
                provider.set_acceptances(row["accepts"])
            if "active" in columns:
                provider.is_active = row["active"]
            try:
                provider.full_clean(exclude=["id"])
            except ValidationError as error:
                # Model rules the row form cannot see; raising rolls back every row so far.
                raise DirectoryImportError(
                    [
                        RowError(row["_row"], column, message)
                        for column, messages in error.message_dict.items()
                        for message in messages
                    ]
                ) from None
            provider.save()
            if "specialities" in columns:
                provider.specialities.set(Speciality.for_names(row["specialities"]))
            if "languages" in columns:
                provider.languages.set(row["languages"])
            if before is None:
                report.created += 1
                continue
            # Refetch the relations so the comparison sees what was written.
            provider = Provider.objects.for_listing().get(pk=provider.pk)
            if provider_row(provider) == before:
                report.unchanged += 1
            else:
                report.updated += 1
    return report


def import_csv(data: bytes) -> ImportReport:
    """Check, then write. Never writes part of a file."""
    try:
        return apply(parse(data))
    except DirectoryImportError as error:
        return ImportReport(errors=error.errors)
