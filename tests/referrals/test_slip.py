"""The referral slip: what the provider needs, and nothing else about the person."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.models import Language
from referrals.models import Status
from tests.privacy.seeding import contains_marker, seed_person
from tests.referrals.factories import CostGuaranteeFactory, FundFactory
from tests.referrals.helpers import assert_login_redirect, audit_entries

pytestmark = pytest.mark.django_db


def slip_url(referral) -> str:
    return reverse("referrals:referral_slip", args=[referral.id])


@pytest.fixture
def marked_referral(site_a):
    """A referral of a person with the privacy marker in every encrypted field, except the
    pseudonym, which gets a value of its own."""
    rows = seed_person(site_a)
    client = rows["casework.client"]
    client.pseudonym = "Kestrel"
    client.save()
    referral = rows["referrals.referral"]
    referral.status = Status.BOOKED
    referral.appointment_at = timezone.make_aware(datetime(2030, 3, 4, 14, 15))
    referral.interpreter_language = Language.objects.get(code="ti")
    referral.save()
    CostGuaranteeFactory(
        referral=referral, fund=FundFactory(currency="EUR"), amount=Decimal("850.00")
    )
    return referral


def test_anonymous_and_other_roles_cannot_open_it(
    anonymous_client, reporting_client, administrator_client, counsellor_b_client, referral_a
):
    assert_login_redirect(anonymous_client.get(slip_url(referral_a)))
    assert reporting_client.get(slip_url(referral_a)).status_code == 403
    assert administrator_client.get(slip_url(referral_a)).status_code == 403
    assert counsellor_b_client.get(slip_url(referral_a)).status_code == 404
    assert not audit_entries("referrals.slip.printed")


def test_the_slip_carries_what_the_provider_needs(
    counsellor_a_client, counsellor_a, marked_referral, settings
):
    settings.ORGANISATION_CONTACT = "Referral desk: +41 44 123 45 67"
    guarantee = marked_referral.guarantees.get()

    response = counsellor_a_client.get(slip_url(marked_referral))

    body = response.text
    assert response.status_code == 200
    assert marked_referral.client.display_code in body
    assert "Kestrel" in body
    assert marked_referral.provider.name in body
    assert "Tigrinya" in body
    assert "March 4, 2030, 2:15 p.m." in body
    assert guarantee.voucher in body
    assert "EUR 850.00" in body
    assert "Referral desk: +41 44 123 45 67" in body
    assert "css/slip.css" in body
    [entry] = audit_entries("referrals.slip.printed", marked_referral.id)
    assert entry.actor == counsellor_a
    assert entry.details == {"pseudonym_shown": True}


def test_the_slip_shows_no_other_personal_field(coordinator_client, marked_referral):
    body = coordinator_client.get(slip_url(marked_referral)).text

    # Name, date of birth, phone, contact notes and the referral's notes all hold the marker.
    assert not contains_marker(body)


def test_the_pseudonym_is_left_off_when_configured(coordinator_client, marked_referral, settings):
    settings.REFERRAL_SLIP_SHOWS_PSEUDONYM = False

    body = coordinator_client.get(slip_url(marked_referral)).text

    assert "Kestrel" not in body
    assert marked_referral.client.display_code in body
    [entry] = audit_entries("referrals.slip.printed", marked_referral.id)
    assert entry.details == {"pseudonym_shown": False}


def test_a_closed_guarantee_is_not_on_the_slip(coordinator_client, marked_referral):
    guarantee = marked_referral.guarantees.get()
    guarantee.status = "closed"
    guarantee.save()

    body = coordinator_client.get(slip_url(marked_referral)).text

    assert guarantee.voucher not in body
