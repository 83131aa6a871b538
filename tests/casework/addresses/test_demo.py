from __future__ import annotations

import pytest
from django.core.management import call_command

from casework.models.addresses import MailItem, PostalAddress, SlotAssignment

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_the_address_section_once(settings):
    settings.DEBUG = True

    call_command("seed_demo")
    call_command("seed_demo")

    assert PostalAddress.objects.get().slots.count() == 20
    assert SlotAssignment.objects.active().count() == 2
    assert MailItem.objects.waiting().count() == 2
    assert MailItem.objects.waiting().filter(urgent=True).count() == 1
