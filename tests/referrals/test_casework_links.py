"""Referrals as part of a client's story: made from the timeline or a visit, shown on it,
moved by a merge and emptied by an erasure."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from casework.erasure import ErasureReason, client_erase
from casework.merge import client_merge
from referrals.models import Referral
from tests.factories import ClientFactory, VisitFactory
from tests.referrals.factories import ProviderFactory, ReferralFactory

pytestmark = pytest.mark.django_db


def test_the_client_page_offers_a_referral_and_shows_the_referrals(
    counsellor_a_client, client_of_a, referral_a
):
    response = counsellor_a_client.get(reverse("casework:client", args=[client_of_a.code]))

    assert reverse("referrals:referral_create", args=[client_of_a.code]) in response.text
    assert referral_a.provider.name in response.text
    assert "Pain in the left knee" in response.text
    assert reverse("referrals:referral_detail", args=[referral_a.id]) in response.text


def test_a_referral_made_from_a_visit_remembers_it(counsellor_a_client, counsellor_a, client_of_a):
    visit = VisitFactory(client=client_of_a, counsellor=counsellor_a)
    page = counsellor_a_client.get(reverse("casework:client", args=[client_of_a.code]))
    link = reverse("referrals:referral_create", args=[client_of_a.code]) + f"?visit={visit.pk}"
    assert link in page.text

    response = counsellor_a_client.post(
        link, {"provider": ProviderFactory().pk, "reason": "acute", "urgency": "urgent"}
    )

    assert response.status_code == 302
    assert Referral.objects.get().visit == visit


@pytest.mark.parametrize("visit", ["someone-elses", "not-a-uuid", "unknown"])
def test_a_wrong_visit_is_404(visit, counsellor_a_client, client_of_a, site_a):
    value = {
        "someone-elses": lambda: str(VisitFactory(client=ClientFactory(registered_site=site_a)).pk),
        "not-a-uuid": lambda: "12",
        "unknown": lambda: str(uuid.uuid4()),
    }[visit]()
    url = reverse("referrals:referral_create", args=[client_of_a.code]) + f"?visit={value}"

    response = counsellor_a_client.post(url, {"provider": ProviderFactory().pk, "reason": "acute"})

    assert response.status_code == 404
    assert not Referral.objects.exists()


def test_a_merge_moves_referrals_and_their_notes(coordinator, site_a):
    duplicate = ClientFactory(registered_site=site_a)
    survivor = ClientFactory(registered_site=site_a)
    referral = ReferralFactory(client=duplicate, notes="Needs insulin")

    client_merge(duplicate=duplicate, survivor=survivor, actor=coordinator)

    moved = Referral.objects.get(pk=referral.pk)
    assert moved.client == survivor
    assert moved.notes == "Needs insulin"


def test_an_erased_persons_referral_stays_for_the_accounts_without_notes(
    coordinator_client, coordinator, referral_a
):
    client_erase(client=referral_a.client, actor=coordinator, reason=ErasureReason.REQUEST)

    detail = coordinator_client.get(reverse("referrals:referral_detail", args=[referral_a.id]))
    edit = coordinator_client.get(reverse("referrals:referral_edit", args=[referral_a.id]))
    listing = coordinator_client.get(reverse("referrals:referral_list"))

    assert detail.status_code == edit.status_code == listing.status_code == 200
    assert "Pain in the left knee" not in detail.text
    assert referral_a.provider.name in detail.text
    assert Referral.objects.get(pk=referral_a.pk).notes == ""
