from __future__ import annotations

import pytest
from django.core.management import call_command

from referrals.demo import DEMO_PROVIDERS
from referrals.models import CostGuarantee, Provider, Referral, Status

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_the_referrals_section_once(settings):
    settings.DEBUG = True

    call_command("seed_demo")
    call_command("seed_demo")

    assert Provider.objects.count() == len(DEMO_PROVIDERS)
    assert all("Example" in p.name for p in Provider.objects.all())
    assert Referral.objects.count() == 2
    assert Referral.objects.filter(status=Status.BOOKED).count() == 1
    assert CostGuarantee.objects.count() == 1
