"""Directory export and import: all or nothing, row-level errors, a faithful round trip."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from referrals import directory
from referrals.models import Provider, ProviderKind, Speciality
from tests.referrals.factories import ProviderFactory
from tests.referrals.helpers import assert_login_redirect, audit_entries

pytestmark = pytest.mark.django_db

EXPORT = reverse("referrals:directory_export")
IMPORT = reverse("referrals:directory_import")


def directory_state() -> list[dict[str, str]]:
    return sorted(
        (directory.provider_row(p) for p in Provider.objects.for_listing()),
        key=lambda row: row["id"],
    )


def csv_bytes(rows: list[dict[str, str]], columns: list[str] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns or list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def upload(client, data: bytes):
    return client.post(IMPORT, {"file": SimpleUploadedFile("providers.csv", data, "text/csv")})


def make_directory() -> None:
    ProviderFactory(
        name="Dr. Müller, GP",
        kind=ProviderKind.GENERAL_PRACTITIONER,
        specialities=["Diabetes", "Wound care"],
        languages=["de", "ar", "ti"],
        accepts_pro_bono=True,
        address='Bahnhofstrasse 3\n8001 Zürich\n"back door"',
        availability="volunteer doctor, 1st and 3rd Tuesday",
        monthly_capacity=8,
        trust_note="=call first; she knows us",
        website="https://example.org/dr",
        email="praxis@example.org",
    )
    ProviderFactory(name="City lab", kind=ProviderKind.LABORATORY, is_active=False)
    ProviderFactory(name="-Legal aid-", kind=ProviderKind.LEGAL, monthly_capacity=None)


# --- the pages -------------------------------------------------------------------------------


def test_export_and_import_are_for_coordinators(
    anonymous_client, counsellor_a_client, reporting_client
):
    assert_login_redirect(anonymous_client.get(EXPORT))
    assert_login_redirect(anonymous_client.get(IMPORT))
    for client in (counsellor_a_client, reporting_client):
        assert client.get(EXPORT).status_code == 403
        assert client.get(IMPORT).status_code == 403
        assert upload(client, b"name,kind\nX,gp\n").status_code == 403
    assert not Provider.objects.exists()


def test_wrong_methods_are_refused(coordinator_client):
    assert coordinator_client.post(EXPORT).status_code == 405
    assert coordinator_client.put(IMPORT).status_code == 405


def test_export_downloads_the_directory_and_is_audited(coordinator_client, coordinator):
    make_directory()

    response = coordinator_client.get(EXPORT)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["name"] for r in rows] == ["'-Legal aid-", "City lab", "Dr. Müller, GP"]
    [entry] = audit_entries("referrals.directory.exported")
    assert entry.actor == coordinator
    assert entry.details == {"count": 3}


def test_export_defuses_spreadsheet_formulas(coordinator_client):
    make_directory()

    text = coordinator_client.get(EXPORT).content.decode("utf-8-sig")

    assert "'=call first" in text
    assert "'-Legal aid-" in text


def test_round_trip_through_the_pages_gives_the_same_directory(coordinator_client):
    make_directory()
    before = directory_state()
    exported = coordinator_client.get(EXPORT).content
    for provider in Provider.objects.all():
        provider.delete()
    Speciality.objects.all().delete()

    response = upload(coordinator_client, exported)

    assert response.status_code == 302
    assert directory_state() == before
    [entry] = audit_entries("referrals.directory.imported")
    assert entry.details == {"created": 3, "updated": 0, "unchanged": 0}


def test_importing_the_export_again_changes_nothing(coordinator_client):
    make_directory()
    before = directory_state()

    upload(coordinator_client, coordinator_client.get(EXPORT).content)

    assert directory_state() == before
    [entry] = audit_entries("referrals.directory.imported")
    assert entry.details == {"created": 0, "updated": 0, "unchanged": 3}


def test_a_bad_row_imports_nothing_and_is_named(coordinator_client):
    existing = ProviderFactory(name="Keep me")
    rows = [
        {"id": str(existing.id), "name": "Renamed", "kind": "gp", "languages": "ar"},
        {"id": "", "name": "Fine new one", "kind": "dental", "languages": ""},
        {"id": "", "name": "Bad one", "kind": "witch-doctor", "languages": "ar; zz"},
    ]

    response = upload(coordinator_client, csv_bytes(rows))

    assert response.status_code == 200
    errors = response.context["report"].errors
    assert {(e.row, e.column) for e in errors} == {(4, "kind"), (4, "languages")}
    assert "zz" in next(e.message for e in errors if e.column == "languages")
    assert "Nothing was imported" in response.text
    existing.refresh_from_db()
    assert existing.name == "Keep me"
    assert Provider.objects.count() == 1
    assert not audit_entries("referrals.directory.imported")


def test_a_model_rule_broken_in_a_late_row_rolls_back_earlier_rows(coordinator):
    # full_clean runs model validators the row form does not know about; one failing in a
    # late row must undo the rows written before it.
    rows = [
        {"name": "First", "kind": "gp", "address": "a"},
        {"name": "Second", "kind": "gp", "address": "x" * 10},
    ]
    data = csv_bytes(rows)
    Provider._meta.get_field("address").validators.append(_refuse_xxxx)
    try:
        report = directory.import_csv(data)
    finally:
        Provider._meta.get_field("address").validators.remove(_refuse_xxxx)

    assert [(e.row, e.column) for e in report.errors] == [(3, "address")]
    assert not Provider.objects.exists()


def _refuse_xxxx(value: str) -> None:
    from django.core.exceptions import ValidationError

    if "xxxx" in value:
        raise ValidationError("no xxxx")


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"\xff\xfe not utf-8", "UTF-8"),
        (b"name,kind,colour\nX,gp,red\n", "Unknown column"),
        (b"id,kind\n,gp\n", "Required column"),
        (b"name,kind\nX,gp,extra\n", "more cells"),
    ],
)
def test_file_level_problems_are_reported(data, fragment):
    report = directory.import_csv(data)

    assert not report.ok
    assert fragment in report.errors[0].message or fragment in report.errors[0].column
    assert not Provider.objects.exists()


def test_duplicate_ids_in_one_file_are_refused():
    provider_id = "0b7c9d2e-3c1f-4f0a-9a55-6f0c2a1d9e11"
    data = csv_bytes(
        [
            {"id": provider_id, "name": "A", "kind": "gp"},
            {"id": provider_id, "name": "B", "kind": "gp"},
        ]
    )

    report = directory.import_csv(data)

    assert [(e.row, e.column) for e in report.errors] == [(3, "id")]


def test_semicolon_files_and_partial_columns_are_read():
    existing = ProviderFactory(name="Dr. A", phone="123", specialities=["Old"])
    data = f"id;name;kind\n{existing.id};Dr. A renamed;specialist\n;Dr. B;gp\n".encode()

    report = directory.import_csv(data)

    assert (report.created, report.updated) == (1, 1)
    existing.refresh_from_db()
    assert existing.name == "Dr. A renamed"
    assert existing.phone == "123"  # not in the file, so left alone
    assert [s.name for s in existing.specialities.all()] == ["Old"]


def test_specialities_are_matched_without_regard_to_case():
    Speciality.objects.create(name="Cardiology")

    directory.import_csv(b"name,kind,specialities\nX,gp,cardiology; CARDIOLOGY; Dermatology\n")

    assert sorted(Speciality.objects.values_list("name", flat=True)) == [
        "Cardiology",
        "Dermatology",
    ]


_text = st.text(
    alphabet=st.characters(blacklist_categories=["Cs", "Cc"], blacklist_characters=";")
    | st.sampled_from(["\n", '"', ",", "=", "-", "+", "@", "'"]),
    max_size=30,
).map(str.strip)


@settings(max_examples=40, deadline=None)
@given(
    name=_text.filter(bool),
    availability=_text,
    trust_note=_text,
    address=_text,
    specialities=st.lists(_text.filter(bool), max_size=3, unique_by=str.casefold),
)
def test_any_text_survives_the_round_trip(name, availability, trust_note, address, specialities):
    Provider.objects.all().delete()
    Speciality.objects.all().delete()
    ProviderFactory(
        name=name[:200],
        availability=availability,
        trust_note=trust_note,
        address=address,
        specialities=[s[:80] for s in specialities],
    )
    before = directory_state()
    exported = directory.export_csv(Provider.objects.for_listing()).encode()
    Provider.objects.all().delete()

    report = directory.import_csv(exported)

    assert report.ok, report.errors
    assert directory_state() == before
