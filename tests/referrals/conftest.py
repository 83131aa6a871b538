"""The people and referrals the referrals tests share."""

from __future__ import annotations

import pytest

from tests.factories import ClientFactory
from tests.referrals.factories import ReferralFactory


@pytest.fixture
def client_of_a(site_a):
    """A person registered at site A: counsellor A may see them, counsellor B may not."""
    return ClientFactory(registered_site=site_a, pseudonym="Moon")


@pytest.fixture
def referral_a(client_of_a, counsellor_a):
    return ReferralFactory(
        client=client_of_a,
        followed_by=counsellor_a,
        created_by=counsellor_a,
        notes="Pain in the left knee since March",
    )
