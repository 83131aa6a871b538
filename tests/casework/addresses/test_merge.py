"""Merging duplicate clients carries their address, letters and waiting-list places along."""

from __future__ import annotations

import pytest

from casework.merge import MergeError, client_merge
from casework.models.addresses import MailItem, SlotAssignment, WaitlistEntry
from casework.services_addresses import waitlist_add
from tests.casework.addresses.conftest import assign, letter
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def test_the_address_and_its_letters_move_to_the_survivor_readable(
    assignment_a, coordinator, site_a
):
    item = letter(assignment_a, coordinator, note="Court date")
    survivor = ClientFactory(registered_site=site_a)

    client_merge(duplicate=assignment_a.client, survivor=survivor, actor=coordinator)

    moved = SlotAssignment.objects.get(pk=assignment_a.pk)
    assert moved.client == survivor
    assert moved.name_on_letters == "Amina K."
    moved_item = MailItem.objects.get(pk=item.pk)
    assert moved_item.client == survivor and moved_item.note == "Court date"


def test_two_records_with_an_address_each_are_not_merged(
    assignment_a, address_a, coordinator, other_person
):
    assign(other_person, address_a, coordinator, number=3)
    duplicate = assignment_a.client

    with pytest.raises(MergeError):
        client_merge(duplicate=duplicate, survivor=other_person, actor=coordinator)

    assert SlotAssignment.objects.get(pk=assignment_a.pk).client_id == duplicate.pk
    duplicate.refresh_from_db()
    assert not duplicate.is_erased


def test_waiting_in_the_same_queue_twice_keeps_the_earlier_place(address_a, coordinator, site_a):
    duplicate = ClientFactory(registered_site=site_a)
    survivor = ClientFactory(registered_site=site_a)
    first = waitlist_add(client=duplicate, address=address_a, actor=coordinator)
    later = waitlist_add(client=survivor, address=address_a, actor=coordinator)

    client_merge(duplicate=duplicate, survivor=survivor, actor=coordinator)

    [open_entry] = WaitlistEntry.objects.filter(closed_at=None)
    assert open_entry.pk == first.pk and open_entry.client == survivor
    later.refresh_from_db()
    assert later.closed_at is not None
