"""Find a client by code (typos too), exact name, phone or date of birth — scoped."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from casework import codes
from casework.search import find_clients
from core.models import AuditEntry
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def _typo(code: str) -> str:
    replacement = next(ch for ch in codes.ALPHABET if ch != code[2])
    return code[:2] + replacement + code[3:]


def test_by_code_as_printed_or_typed(counsellor_a, client_a):
    for typed in (
        client_a.display_code,
        client_a.code.lower(),
        f" {client_a.code[:3]} {client_a.code[3:]}",
    ):
        assert find_clients(counsellor_a, typed).clients == [client_a]


def test_a_mistyped_code_suggests_the_client_one_typo_away(counsellor_a, client_a):
    result = find_clients(counsellor_a, _typo(client_a.code))

    assert result.clients == []
    assert result.suggestions == [client_a]


def test_by_exact_name_in_any_order_and_case(counsellor_a, client_a):
    assert find_clients(counsellor_a, "diallo, AMINA").clients == [client_a]
    assert find_clients(counsellor_a, "Amina").clients == []


def test_a_six_letter_name_is_not_mistaken_for_a_code(counsellor_a, site_a):
    fatima = ClientFactory(registered_site=site_a, name="Fatima")

    assert find_clients(counsellor_a, "fatima").clients == [fatima]


def test_by_phone_however_written(counsellor_a, client_a):
    assert find_clients(counsellor_a, "079 123 45 67").clients == [client_a]
    assert find_clients(counsellor_a, "0041791234567").kind == "phone"


def test_by_date_of_birth_in_common_formats(counsellor_a, site_a):
    born = ClientFactory(registered_site=site_a, date_of_birth=date(1985, 3, 9))

    for typed in ("1985-03-09", "9.3.1985", "09/03/1985"):
        assert find_clients(counsellor_a, typed).clients == [born]


def test_blind_index_candidates_are_confirmed_by_decrypting(counsellor_a, client_a):
    from casework.models import Client

    # Another client whose stored index happens to collide with Amina's (as 32-bit indexes do).
    other = ClientFactory(registered_site=client_a.registered_site, name="Someone Else")
    Client.objects.filter(pk=other.pk).update(name_index=client_a.name_index)

    assert find_clients(counsellor_a, "Amina Diallo").clients == [client_a]


def test_another_sites_clients_are_not_found(counsellor_b, client_a):
    assert find_clients(counsellor_b, client_a.code).clients == []
    assert find_clients(counsellor_b, _typo(client_a.code)).suggestions == []
    assert find_clients(counsellor_b, "Amina Diallo").clients == []


def test_coordinators_find_everyone(coordinator, client_a):
    assert find_clients(coordinator, "Amina Diallo").clients == [client_a]


def test_the_search_page_audits_without_the_query(counsellor_a_client, client_a):
    response = counsellor_a_client.post(reverse("casework:search"), {"q": "Amina Diallo"})

    assert b"Blue Heron" in response.content
    entry = AuditEntry.objects.get(action="casework.client.searched")
    assert entry.details == {"by": "name", "results": 1}


def test_htmx_gets_only_the_results(counsellor_a_client, client_a):
    response = counsellor_a_client.post(
        reverse("casework:search"), {"q": client_a.code}, headers={"HX-Request": "true"}
    )

    assert b"<html" not in response.content
    assert client_a.display_code.encode() in response.content


def test_no_result_says_so(counsellor_a_client):
    response = counsellor_a_client.post(reverse("casework:search"), {"q": "Nobody Here"})

    assert b"No client found" in response.content
