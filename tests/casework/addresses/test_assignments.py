"""Slots, assignments, quarantine and the waiting list, through the services."""

from __future__ import annotations

import calendar
import os
import subprocess
import sys
from datetime import date

import pytest
import time_machine
from django.db import IntegrityError, transaction
from hypothesis import given
from hypothesis import strategies as st

from casework.erasure import ErasureReason, client_erase
from casework.models.addresses import (
    AddressSlot,
    EndReason,
    MailStatus,
    SlotAssignment,
    WaitlistEntry,
    WaitlistReason,
    add_months,
)
from casework.services_addresses import (
    AddressServiceError,
    ClientHasAddress,
    MailStillWaiting,
    NoFreeSlot,
    SlotUnavailable,
    assignment_end,
    assignment_renew,
    postal_address_save,
    release_lapsed_quarantines,
    waitlist_add,
)
from core.models import AuditEntry
from tests.casework.addresses.conftest import assign, letter
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)), st.integers(1, 36))
def test_add_months_lands_in_the_right_month_and_never_overflows(day, months):
    later = add_months(day, months)
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
    assert later.day == min(day.day, calendar.monthrange(later.year, later.month)[1])


def test_add_months_clamps_to_the_end_of_a_shorter_month():
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2028, 2, 29), 12) == date(2029, 2, 28)


def test_address_creates_its_numbered_slots(address_a):
    assert list(address_a.slots.values_list("number", flat=True)) == [1, 2, 3]
    assert address_a.slots.get(number=2).label == "Box 2"


@time_machine.travel("2027-03-15 10:00 +01:00", tick=False)
def test_expiry_follows_the_setting(settings, person, address_a, coordinator):
    settings.ADDRESS_ASSIGNMENT_MONTHS = 6

    assignment = assign(person, address_a, coordinator)

    assert assignment.starts_on == date(2027, 3, 15)
    assert assignment.expires_on == date(2027, 9, 15)


def test_default_expiry_is_twelve_months(person, address_a, coordinator):
    assignment = assign(person, address_a, coordinator, starts_on=date(2027, 3, 15))
    assert assignment.expires_on == date(2028, 3, 15)


def test_next_free_slot_is_the_lowest_and_a_full_address_refuses(address_a, coordinator, site_a):
    people = [ClientFactory(registered_site=site_a) for _ in range(4)]
    numbers = [assign(p, address_a, coordinator).slot.number for p in people[:3]]
    assert numbers == [1, 2, 3]
    with pytest.raises(NoFreeSlot):
        assign(people[3], address_a, coordinator)


def test_a_taken_slot_is_refused(assignment_a, other_person, address_a, coordinator):
    with pytest.raises(SlotUnavailable):
        assign(other_person, address_a, coordinator, number=2)
    assert not SlotAssignment.objects.filter(client=other_person).exists()


def test_one_address_per_person(assignment_a, person, address_a, coordinator):
    with pytest.raises(ClientHasAddress):
        assign(person, address_a, coordinator, number=3)


def test_the_database_refuses_a_second_holder_even_without_the_service(assignment_a, other_person):
    with pytest.raises(IntegrityError), transaction.atomic():
        SlotAssignment.objects.create(
            slot=assignment_a.slot,
            client=other_person,
            starts_on=date(2027, 1, 1),
            expires_on=date(2028, 1, 1),
        )


def test_assignment_is_audited_without_the_name(assignment_a):
    entry = AuditEntry.objects.get(action="casework.address.assigned")
    assert entry.object_ref == str(assignment_a.pk)
    assert entry.details == {"address": str(assignment_a.slot.address_id), "slot": 2}
    assert "Amina" not in str(entry.details)


def test_name_on_letters_is_stored_encrypted(assignment_a):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name_on_letters FROM casework_slotassignment WHERE id = %s",
            [assignment_a.pk.hex if connection.vendor == "sqlite" else assignment_a.pk],
        )
        stored = cursor.fetchone()[0]
    assert "Amina" not in stored
    assert SlotAssignment.objects.get(pk=assignment_a.pk).name_on_letters == "Amina K."


def test_quarantine_follows_the_setting_and_then_frees_the_slot(
    settings, assignment_a, other_person, address_a, coordinator
):
    settings.ADDRESS_QUARANTINE_DAYS = 30
    with time_machine.travel("2027-05-01 09:00 +02:00", tick=False):
        assignment_end(assignment=assignment_a, reason=EndReason.MOVED_AWAY, actor=coordinator)
    assignment_a.refresh_from_db()
    assert assignment_a.ended_on == date(2027, 5, 1)
    assert assignment_a.quarantine_until == date(2027, 5, 31)

    with time_machine.travel("2027-05-30 09:00 +02:00", tick=False):
        assert not address_a.slots.free().filter(number=2).exists()
        with pytest.raises(SlotUnavailable):
            assign(other_person, address_a, coordinator, number=2)
    with time_machine.travel("2027-05-31 09:00 +02:00", tick=False):
        assert address_a.slots.free().filter(number=2).exists()
        taken = assign(other_person, address_a, coordinator, number=2)
    assert taken.slot == assignment_a.slot
    assignment_a.refresh_from_db()
    assert not assignment_a.holds_slot


def test_release_lapsed_quarantines_only_releases_finished_ones(assignment_a, coordinator):
    assignment_end(
        assignment=assignment_a,
        reason=EndReason.HANDED_BACK,
        ended_on=date(2027, 1, 10),
        actor=coordinator,
    )
    assignment_a.refresh_from_db()
    assert release_lapsed_quarantines(today=assignment_a.quarantine_until - date.resolution) == 0
    assert release_lapsed_quarantines(today=assignment_a.quarantine_until) == 1
    assignment_a.refresh_from_db()
    assert not assignment_a.holds_slot


def test_ending_is_refused_while_letters_wait(assignment_a, coordinator):
    item = letter(assignment_a, coordinator)
    with pytest.raises(MailStillWaiting):
        assignment_end(assignment=assignment_a, reason=EndReason.MOVED_AWAY, actor=coordinator)
    assignment_a.refresh_from_db()
    assert assignment_a.is_active
    item.hand_over(on=item.received_on, by=coordinator)
    assignment_end(assignment=assignment_a, reason=EndReason.MOVED_AWAY, actor=coordinator)
    assert AuditEntry.objects.filter(action="casework.address.ended").count() == 1


@time_machine.travel("2027-03-01 10:00 +01:00", tick=False)
def test_renewal_runs_from_the_current_expiry(assignment_a, coordinator, settings):
    settings.ADDRESS_ASSIGNMENT_MONTHS = 12
    assignment_a.expires_on = date(2027, 3, 20)
    assignment_a.save(update_fields=["expires_on"])

    assignment_renew(assignment=assignment_a, actor=coordinator)

    assignment_a.refresh_from_db()
    assert assignment_a.expires_on == date(2028, 3, 20)
    assert assignment_a.renewed_on == date(2027, 3, 1)
    assert AuditEntry.objects.filter(action="casework.address.renewed").exists()


@time_machine.travel("2027-06-01 10:00 +02:00", tick=False)
def test_renewal_after_expiry_runs_from_today(assignment_a, coordinator, settings):
    settings.ADDRESS_ASSIGNMENT_MONTHS = 3
    assignment_a.expires_on = date(2027, 5, 1)
    assignment_a.save(update_fields=["expires_on"])

    assignment_renew(assignment=assignment_a, actor=coordinator)

    assignment_a.refresh_from_db()
    assert assignment_a.expires_on == date(2027, 9, 1)


def test_an_ended_assignment_cannot_be_renewed(assignment_a, coordinator):
    assignment_end(assignment=assignment_a, reason=EndReason.HANDED_BACK, actor=coordinator)
    with pytest.raises(AddressServiceError):
        assignment_renew(assignment=assignment_a, actor=coordinator)


def test_waiting_list_closes_when_the_person_gets_a_slot(address_a, coordinator, site_a):
    waiting = ClientFactory(registered_site=site_a)
    entry = waitlist_add(client=waiting, address=address_a, actor=coordinator)
    with pytest.raises(AddressServiceError):
        waitlist_add(client=waiting, address=address_a, actor=coordinator)

    assign(waiting, address_a, coordinator)

    entry.refresh_from_db()
    assert entry.close_reason == WaitlistReason.ASSIGNED
    assert entry.closed_at is not None


def test_someone_with_an_address_does_not_join_the_waiting_list(
    assignment_a, address_a, coordinator
):
    with pytest.raises(ClientHasAddress):
        waitlist_add(client=assignment_a.client, address=address_a, actor=coordinator)


def test_reducing_slots_keeps_held_ones_and_retires_free_ones(address_a, assignment_a, coordinator):
    address_a.slot_count = 1
    with pytest.raises(SlotUnavailable):
        postal_address_save(address=address_a, actor=coordinator)

    address_a.refresh_from_db()
    address_a.slot_count = 2
    postal_address_save(address=address_a, actor=coordinator)
    assert list(address_a.slots.filter(retired=False).values_list("number", flat=True)) == [1, 2]
    assert AddressSlot.objects.get(address=address_a, number=3).retired

    address_a.slot_count = 4
    postal_address_save(address=address_a, actor=coordinator)
    assert list(address_a.slots.filter(retired=False).values_list("number", flat=True)) == [
        1,
        2,
        3,
        4,
    ]


def test_erasing_a_person_ends_their_address_and_returns_their_mail(
    assignment_a, coordinator, address_a
):
    waiting_entry_person = ClientFactory(registered_site=address_a.site)
    entry = waitlist_add(client=waiting_entry_person, address=address_a, actor=coordinator)
    item = letter(assignment_a, coordinator, note="From the court, about the hearing")

    client_erase(client=assignment_a.client, actor=coordinator, reason=ErasureReason.REQUEST)
    client_erase(client=waiting_entry_person, actor=coordinator, reason=ErasureReason.REQUEST)

    assignment_a.refresh_from_db()
    item.refresh_from_db()
    entry.refresh_from_db()
    assert assignment_a.end_reason == EndReason.ERASED
    assert assignment_a.holds_slot  # quarantine still protects the slot
    assert item.status == MailStatus.RETURNED
    assert item.note == "" and assignment_a.name_on_letters == ""
    assert entry.close_reason == WaitlistReason.WITHDRAWN
    assert WaitlistEntry.objects.filter(closed_at=None).count() == 0


@pytest.mark.parametrize(
    ("name", "value", "ok"),
    [
        ("ADDRESS_ASSIGNMENT_MONTHS", "37", False),
        ("ADDRESS_QUARANTINE_DAYS", "13", False),
        ("ADDRESS_QUARANTINE_DAYS", "60", True),
    ],
)
def test_address_settings_have_bounds(name, value, ok):
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        env={**os.environ, "DEBUG": "true", name: value},
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode == 0) == ok, result.stderr
    if not ok:
        assert f"{name} must be between" in result.stderr
