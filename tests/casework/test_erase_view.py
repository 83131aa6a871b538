"""The coordinator's "erase this person" page."""

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from casework.models import Client
from core.models import AuditEntry

pytestmark = pytest.mark.django_db


def erase_url(client: Client) -> str:
    return reverse("casework:client_erase", args=[client.code])


def test_the_page_explains_and_asks_for_the_code(coordinator_client, client_a):
    response = coordinator_client.get(erase_url(client_a))

    assert response.status_code == 200
    page = response.content.decode()
    assert "cannot be undone" in page
    assert "Amina" not in page  # the confirmation names the code, not the person


def test_a_wrong_code_erases_nothing(coordinator_client, client_a):
    response = coordinator_client.post(erase_url(client_a), {"confirm_code": "AAA-AAA"})

    assert response.status_code == 200
    assert "not the code of the client" in response.content.decode()
    client_a.refresh_from_db()
    assert not client_a.is_erased


def test_erasing_shreds_the_person_and_audits_it(coordinator_client, coordinator, client_a):
    client_id = client_a.pk
    response = coordinator_client.post(
        erase_url(client_a), {"confirm_code": client_a.display_code.lower()}
    )

    assert response.status_code == 302
    erased = Client.objects.get(pk=client_id)
    assert erased.is_erased and erased.code is None
    entry = AuditEntry.objects.get(action="casework.client.erased", object_ref=str(client_id))
    assert entry.actor == coordinator
    # The old code now leads nowhere.
    assert (
        coordinator_client.get(reverse("casework:client", args=[client_a.code])).status_code == 404
    )


def test_counsellors_cannot_erase(counsellor_a_client, client_a):
    assert counsellor_a_client.get(erase_url(client_a)).status_code == 403
    assert (
        counsellor_a_client.post(erase_url(client_a), {"confirm_code": client_a.code}).status_code
        == 403
    )


def test_erasing_needs_a_fresh_password_check(coordinator, client_a):
    http = HttpClient()
    http.force_login(coordinator)

    response = http.post(erase_url(client_a), {"confirm_code": client_a.code})

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))
    client_a.refresh_from_db()
    assert not client_a.is_erased


def test_merging_needs_a_fresh_password_check(coordinator, client_a, site_a):
    from tests.factories import ClientFactory

    other = ClientFactory(registered_site=site_a)
    http = HttpClient()
    http.force_login(coordinator)

    response = http.post(
        reverse("casework:client_merge", args=[client_a.code]),
        {"survivor_code": other.code, "confirm": "1"},
    )

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))
    client_a.refresh_from_db()
    assert client_a.merged_into_id is None
