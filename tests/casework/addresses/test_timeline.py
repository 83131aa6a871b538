"""The address and its letters appear on the person's timeline and in their own record."""

from __future__ import annotations

import pytest
from django.urls import reverse

from casework import timeline
from casework.models.addresses import EndReason
from casework.services_addresses import assignment_end, mail_hand_over
from tests.casework.addresses.conftest import letter

pytestmark = pytest.mark.django_db


def test_timeline_shows_the_assignment_and_letters(counsellor_a_client, assignment_a, coordinator):
    item = letter(assignment_a, coordinator, urgent=True, note="Hospital bill")
    mail_hand_over(item=item, on=item.received_on, actor=coordinator)
    assignment_end(assignment=assignment_a, reason=EndReason.HANDED_BACK, actor=coordinator)

    kinds = [entry.kind for entry in timeline.entries(assignment_a.client)]
    assert kinds.count("address") == 1 and kinds.count("mail") == 1

    page = counsellor_a_client.get(
        reverse("casework:client", args=[assignment_a.client.code])
    ).content.decode()
    assert f'id="address-{assignment_a.pk}"' in page
    assert f'id="mail-{item.pk}"' in page
    assert "Hospital bill" in page and "Handed back" in page
    assert reverse("casework:address_client", args=[assignment_a.client.code]) in page


def test_the_persons_own_record_lists_their_letters(coordinator_client, assignment_a, coordinator):
    letter(assignment_a, coordinator, note="From the court")
    page = coordinator_client.get(
        reverse("casework:client_record", args=[assignment_a.client.code])
    ).content.decode()
    assert "From the court" in page and "Box 2" in page
    assert reverse("casework:address_mail_detail", args=[assignment_a.mail.get().pk]) not in page
