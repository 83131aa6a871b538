"""Registering, viewing, editing clients; the card and the person's own record; needs."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from casework.models import AgeBand, Client, ClientSite, Language, NeedsAssessment
from core.models import AuditEntry
from tests.casework.conftest import audited, stored

pytestmark = pytest.mark.django_db


def test_a_pseudonym_is_all_it_takes(counsellor_a_client, site_a):
    response = counsellor_a_client.post(
        reverse("casework:client_create"), {"pseudonym": "Lake Otter", "registered_site": site_a.pk}
    )

    client = Client.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("casework:client", args=[client.code])
    assert client.pseudonym == "Lake Otter"
    assert client.registered_site == site_a
    assert ClientSite.objects.filter(client=client, site=site_a).exists()
    entry = AuditEntry.objects.get(action="casework.client.created")
    assert entry.object_ref == str(client.pk)
    assert entry.details["fields"] == []


def test_no_pseudonym_gets_a_generated_one(counsellor_a_client, site_a):
    counsellor_a_client.post(reverse("casework:client_create"), {"registered_site": site_a.pk})

    pseudonym = Client.objects.get().pseudonym
    assert len(pseudonym.split()) == 2


def test_identity_fields_are_encrypted_and_only_named_in_the_audit(counsellor_a_client, site_a):
    counsellor_a_client.post(
        reverse("casework:client_create"),
        {
            "pseudonym": "Lake Otter",
            "registered_site": site_a.pk,
            "name": "Fatou Ndiaye",
            "date_of_birth": "1990-04-01",
            "phone": "079 555 12 34",
            "languages": [Language.objects.get(code="fr").pk],
            "gender": "female",
        },
    )

    client = Client.objects.get()
    assert client.name == "Fatou Ndiaye"
    assert client.date_of_birth == date(1990, 4, 1)
    assert client.age_band != AgeBand.NOT_STATED
    for column in ("name", "phone", "date_of_birth"):
        raw = stored(Client, client.pk, column)
        assert raw.startswith("e1.")
        assert "Fatou" not in raw and "555" not in raw and "1990" not in raw
    details = AuditEntry.objects.get(action="casework.client.created").details
    assert details["fields"] == ["name", "date_of_birth", "phone"]
    assert "Fatou" not in str(details)


def test_year_of_birth_gives_the_age_band_and_is_not_kept(counsellor_a_client, site_a):
    counsellor_a_client.post(
        reverse("casework:client_create"), {"registered_site": site_a.pk, "year_of_birth": 2000}
    )

    client = Client.objects.get()
    assert client.age_band == AgeBand.for_birth_year(2000)
    assert client.date_of_birth is None


def test_the_form_says_why_there_is_no_status_field(counsellor_a_client):
    response = counsellor_a_client.get(reverse("casework:client_create"))

    assert b'id="no-status-note"' in response.content
    assert b"status" not in b"".join(field.encode() for field in response.context["form"].fields)


def test_a_counsellor_registers_only_at_their_own_sites(counsellor_a_client, site_b):
    response = counsellor_a_client.post(
        reverse("casework:client_create"), {"registered_site": site_b.pk}
    )

    assert response.status_code == 200
    assert "registered_site" in response.context["form"].errors
    assert not Client.objects.exists()


def test_opening_the_client_page_is_audited(counsellor_a_client, client_a, visit_a):
    client_a.languages.add(Language.objects.get(code="ti"))

    response = counsellor_a_client.get(reverse("casework:client", args=[client_a.code]))

    assert response.status_code == 200
    assert b"Amina Diallo" in response.content
    assert b"<dd>Tigrinya</dd>" in response.content
    assert audited("casework.client.viewed", client_a)


def test_the_code_works_as_typed(counsellor_a_client, client_a):
    typed = f"{client_a.code[:3].lower()} {client_a.code[3:].lower()}"

    response = counsellor_a_client.get(reverse("casework:client", args=[typed]))

    assert response.status_code == 200


def test_a_client_seen_at_my_site_is_visible_though_registered_elsewhere(
    counsellor_b_client, client_a, site_b
):
    ClientSite.link(client_a, site_b)

    response = counsellor_b_client.get(reverse("casework:client", args=[client_a.code]))

    assert response.status_code == 200


def test_edit_saves_and_audits_field_names(counsellor_a_client, client_a):
    url = reverse("casework:client_edit", args=[client_a.code])
    form = counsellor_a_client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"phone": "+41 78 000 00 00", "languages": [], "version": client_a.version})

    response = counsellor_a_client.post(url, data)

    assert response.status_code == 302
    client_a.refresh_from_db()
    assert client_a.phone == "+41 78 000 00 00"
    assert client_a.version == 2
    entry = AuditEntry.objects.get(action="casework.client.updated")
    assert entry.details["fields"] == ["phone"]


def test_the_card_carries_the_code_and_hours_and_nothing_identifying(counsellor_a_client, client_a):
    response = counsellor_a_client.get(reverse("casework:client_card", args=[client_a.code]))

    content = response.content.decode()
    assert client_a.display_code in content
    assert "<svg" in content
    assert client_a.registered_site.opening_hours.replace("&", "&amp;") in content
    for personal in ("Amina", "Diallo", "Blue Heron", "123 45 67"):
        assert personal not in content
    assert audited("casework.client.card_printed", client_a)


def test_the_persons_own_record_holds_everything_and_is_audited(
    counsellor_a_client, client_a, visit_a
):
    visit_a.notes = "Needs a dentist soon."
    visit_a.save()

    response = counsellor_a_client.get(reverse("casework:client_record", args=[client_a.code]))

    assert b"Amina Diallo" in response.content
    assert b"Needs a dentist soon." in response.content
    assert b"Printed on " in response.content
    assert b"We never record residence status." in response.content
    assert audited("casework.client.record_printed", client_a)


def test_needs_are_assessed_as_new_dated_rows(counsellor_a_client, client_a):
    url = reverse("casework:needs_assess", args=[client_a.code])
    counsellor_a_client.post(
        url,
        {
            "assessed_on": "2026-01-05",
            "housing": "street",
            "urgent_needs": ["shelter"],
            "notes": "x",
        },
    )

    response = counsellor_a_client.get(url)
    assert response.context["form"].initial["housing"] == "street"
    counsellor_a_client.post(url, {"assessed_on": "2026-02-05", "housing": "shelter"})

    assessments = list(NeedsAssessment.objects.filter(client=client_a))
    assert [a.housing for a in assessments] == ["shelter", "street"]
    assert assessments[1].urgent_needs == ["shelter"]
    assert assessments[1].notes == "x"
    assert AuditEntry.objects.filter(action="casework.needs.assessed").count() == 2


def test_a_future_assessment_date_is_refused(counsellor_a_client, client_a):
    response = counsellor_a_client.post(
        reverse("casework:needs_assess", args=[client_a.code]), {"assessed_on": "2999-01-01"}
    )

    assert response.status_code == 200
    assert "assessed_on" in response.context["form"].errors
    assert not NeedsAssessment.objects.exists()
