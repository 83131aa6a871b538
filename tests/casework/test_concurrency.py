"""Two people editing one record: the second save is refused, clearly, and nothing is lost."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from casework.models import Client
from casework.services import StaleEdit, save_if_current
from core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _client_form_data(http: HttpClient, client: Client) -> dict:
    form = http.get(reverse("casework:client_edit", args=[client.code])).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data["languages"] = []
    return data


def test_the_second_of_two_client_edits_is_refused_and_kept(
    counsellor_a_client, coordinator_client, client_a
):
    url = reverse("casework:client_edit", args=[client_a.code])
    mine = _client_form_data(counsellor_a_client, client_a)
    theirs = _client_form_data(coordinator_client, client_a)

    theirs["phone"] = "+41 76 111 11 11"
    assert coordinator_client.post(url, theirs).status_code == 302
    mine["contact_notes"] = "Prefers text messages, evenings only."
    mine["phone"] = "+41 79 999 99 99"
    response = counsellor_a_client.post(url, mine)

    # Refused, clearly…
    assert response.status_code == 200
    assert b'id="stale-notice"' in response.content
    assert b"someone else saved this record" in response.content
    assert response.context["stale"] == ["Phone", "Contact notes"]
    # …nothing of mine lost: my input is in the form again, now on top of their version…
    form = response.context["form"]
    assert form["contact_notes"].value() == "Prefers text messages, evenings only."
    assert form["phone"].value() == "+41 79 999 99 99"
    assert form["version"].value() == "2"
    # …and nothing of theirs overwritten.
    client_a.refresh_from_db()
    assert client_a.phone == "+41 76 111 11 11"
    assert client_a.contact_notes == ""
    assert client_a.version == 2
    assert AuditEntry.objects.filter(action="casework.client.updated").count() == 1

    # Saving the re-rendered form again is a deliberate choice, and it goes through.
    again = counsellor_a_client.post(url, dict(form.data.items()))
    assert again.status_code == 302
    client_a.refresh_from_db()
    assert client_a.phone == "+41 79 999 99 99"
    assert client_a.contact_notes == "Prefers text messages, evenings only."


def test_the_second_of_two_visit_edits_is_refused_and_kept(
    counsellor_a_client, coordinator_client, visit_a, site_a
):
    url = reverse("casework:visit_edit", args=[visit_a.pk])
    base = {
        "date": visit_a.date.isoformat(),
        "site": site_a.pk,
        "follow_up_for": "me",
        "version": 1,
    }
    assert coordinator_client.post(url, {**base, "outcome": "resolved"}).status_code == 302

    response = counsellor_a_client.post(url, {**base, "notes": "My long note."})

    assert response.status_code == 200
    assert response.context["stale"] is not None
    assert response.context["form"]["notes"].value() == "My long note."
    visit_a.refresh_from_db()
    assert visit_a.outcome == "resolved"
    assert visit_a.notes == ""


def test_only_one_of_two_saves_from_the_same_version_wins(client_a):
    first = Client.objects.get(pk=client_a.pk)
    second = Client.objects.get(pk=client_a.pk)

    first.gender = "female"
    save_if_current(first, expected_version=1)
    second.gender = "male"
    with pytest.raises(StaleEdit):
        save_if_current(second, expected_version=1)

    client_a.refresh_from_db()
    assert client_a.gender == "female"


def test_a_client_edit_does_not_undo_a_visit_logged_meanwhile(counsellor_a_client, client_a):
    url = reverse("casework:client_edit", args=[client_a.code])
    data = _client_form_data(counsellor_a_client, client_a)
    later = timezone.now() + timedelta(hours=1)
    Client.objects.filter(pk=client_a.pk).update(last_seen_at=later)

    counsellor_a_client.post(url, {**data, "gender": "female"})

    client_a.refresh_from_db()
    assert client_a.gender == "female"
    assert client_a.last_seen_at == later
