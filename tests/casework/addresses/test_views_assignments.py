"""A person's address at the desk: assign, wait, renew, end, print; addresses and slots."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.models.addresses import (
    EndReason,
    PostalAddress,
    SlotAssignment,
    WaitlistEntry,
    WaitlistReason,
)
from casework.services_addresses import waitlist_add
from core.models import AuditEntry
from tests.casework.addresses.conftest import assign, letter
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def test_client_page_shows_the_address_and_is_audited(counsellor_a_client, assignment_a):
    url = reverse("casework:address_client", args=[assignment_a.client.code])
    page = counsellor_a_client.get(url).content.decode()
    assert "Box 2" in page and "Amina K." in page
    entry = AuditEntry.objects.get(action="casework.address.viewed")
    assert entry.object_ref == str(assignment_a.client.pk)


def test_client_lookup_opens_the_page_or_says_no(counsellor_a_client, assignment_a, site_b):
    lookup = reverse("casework:address_client_lookup")
    found = counsellor_a_client.get(lookup, {"code": assignment_a.client.display_code})
    assert found["Location"] == reverse("casework:address_client", args=[assignment_a.client.code])
    # A person only known at another site is not revealed to this counsellor.
    elsewhere = ClientFactory(registered_site=site_b)
    missing = counsellor_a_client.get(lookup, {"code": elsewhere.code}, follow=True)
    assert "There is no client with this code that you may see." in missing.content.decode()


def test_coordinator_assigns_a_slot(coordinator_client, person, address_a):
    url = reverse("casework:address_assign", args=[person.code])
    response = coordinator_client.post(
        url,
        {
            "address": str(address_a.pk),
            "slot_number": "",
            "name_on_letters": "A. Karimi",
            "starts_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    assignment = SlotAssignment.objects.get(client=person)
    assert assignment.slot.number == 1
    assert assignment.name_on_letters == "A. Karimi"
    assert AuditEntry.objects.filter(
        action="casework.address.assigned", object_ref=str(assignment.pk)
    ).exists()


def test_a_counsellor_assigns_a_slot_to_someone_seen_at_their_site(
    counsellor_a_client, counsellor_b_client, person, address_a
):
    url = reverse("casework:address_assign", args=[person.code])
    assert counsellor_b_client.get(url).status_code == 404
    response = counsellor_a_client.post(
        url,
        {
            "address": str(address_a.pk),
            "slot_number": "3",
            "name_on_letters": "A. K.",
            "starts_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    assert SlotAssignment.objects.get(client=person).slot.number == 3


def test_a_slot_at_another_site_links_the_person_to_that_sites_desk(
    coordinator_client, counsellor_b_client, person, address_b
):
    url = reverse("casework:address_client", args=[person.code])
    assert counsellor_b_client.get(url).status_code == 404
    coordinator_client.post(
        reverse("casework:address_assign", args=[person.code]),
        {
            "address": str(address_b.pk),
            "name_on_letters": "A. K.",
            "starts_on": timezone.localdate().isoformat(),
        },
    )
    assert SlotAssignment.objects.get(client=person).slot.address == address_b
    assert counsellor_b_client.get(url).status_code == 200


def test_a_full_address_offers_the_waiting_list(coordinator_client, coordinator, address_a, site_a):
    for _ in range(3):
        assign(ClientFactory(registered_site=site_a), address_a, coordinator)
    newcomer = ClientFactory(registered_site=site_a)
    data = {
        "address": str(address_a.pk),
        "name_on_letters": "N",
        "starts_on": timezone.localdate().isoformat(),
    }

    response = coordinator_client.post(
        reverse("casework:address_assign", args=[newcomer.code]), data
    )

    assert "All slots of this address are taken." in response.content.decode()
    assert "Put on the waiting list" in response.content.decode()
    assert not SlotAssignment.objects.filter(client=newcomer).exists()

    joined = coordinator_client.post(
        reverse("casework:address_waitlist_add", args=[newcomer.code]),
        {"address": str(address_a.pk)},
    )
    assert joined.status_code == 302
    entry = WaitlistEntry.objects.get(client=newcomer)
    assert entry.closed_at is None
    assert AuditEntry.objects.filter(action="casework.address_waitlist.added").exists()
    listed = coordinator_client.get(reverse("casework:address_waitlist")).content.decode()
    assert newcomer.display_code in listed


def test_taking_someone_off_the_waiting_list(counsellor_a_client, address_a, coordinator, site_a):
    entry = waitlist_add(
        client=ClientFactory(registered_site=site_a), address=address_a, actor=coordinator
    )
    url = reverse("casework:address_waitlist_withdraw", args=[entry.pk])
    assert counsellor_a_client.post(url).status_code == 302
    entry.refresh_from_db()
    assert entry.close_reason == WaitlistReason.WITHDRAWN
    assert AuditEntry.objects.filter(action="casework.address_waitlist.withdrawn").exists()


def test_renewing_at_the_desk(counsellor_a_client, assignment_a):
    old_expiry = assignment_a.expires_on
    url = reverse("casework:address_assignment_renew", args=[assignment_a.pk])
    assert "Renewed, it will be valid until" in counsellor_a_client.get(url).content.decode()

    response = counsellor_a_client.post(url)

    assert response.status_code == 302
    assignment_a.refresh_from_db()
    assert assignment_a.expires_on > old_expiry
    assert AuditEntry.objects.filter(action="casework.address.renewed").exists()


def test_ending_at_the_desk_is_refused_while_letters_wait(
    counsellor_a_client, assignment_a, coordinator
):
    item = letter(assignment_a, coordinator)
    url = reverse("casework:address_assignment_end", args=[assignment_a.pk])
    data = {"reason": EndReason.MOVED_AWAY, "ended_on": timezone.localdate().isoformat()}

    refused = counsellor_a_client.post(url, data)
    assert "still wait" in refused.content.decode()
    assignment_a.refresh_from_db()
    assert assignment_a.is_active

    item.hand_over(on=item.received_on, by=coordinator)
    response = counsellor_a_client.post(url, data)

    assert response.status_code == 302
    assignment_a.refresh_from_db()
    assert assignment_a.end_reason == EndReason.MOVED_AWAY
    assert assignment_a.quarantine_until == timezone.localdate() + timedelta(days=90)
    assert AuditEntry.objects.filter(action="casework.address.ended").exists()


def test_erasure_is_not_a_reason_staff_pick(counsellor_a_client, assignment_a):
    url = reverse("casework:address_assignment_end", args=[assignment_a.pk])
    response = counsellor_a_client.post(
        url, {"reason": EndReason.ERASED, "ended_on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 200
    assignment_a.refresh_from_db()
    assert assignment_a.is_active


def test_confirmation_letter_carries_only_what_the_address_needs(
    counsellor_a_client, assignment_a, site_a
):
    url = reverse("casework:address_assignment_letter", args=[assignment_a.pk])
    response = counsellor_a_client.get(url)
    page = response.content.decode()
    letter_part = page[page.index('<article class="letter">') : page.index("</article>")]

    assert "Amina K." in letter_part
    assert "c/o Solidarity Association, Box 2" in letter_part
    assert "Main Street 1" in letter_part and "8000 Zurich" in letter_part
    assert "Valid from" in letter_part
    client = assignment_a.client
    for private in (client.code, client.display_code, client.pseudonym, site_a.name):
        assert private not in letter_part
    assert "css/letter.css" in page and "js/print-button.js" in page
    assert AuditEntry.objects.filter(
        action="casework.address.letter_printed", object_ref=str(assignment_a.pk)
    ).exists()


def test_no_letter_for_an_ended_assignment(coordinator_client, assignment_a, coordinator):
    from casework.services_addresses import assignment_end

    assignment_end(assignment=assignment_a, reason=EndReason.HANDED_BACK, actor=coordinator)
    url = reverse("casework:address_assignment_letter", args=[assignment_a.pk])
    assert coordinator_client.get(url).status_code == 404


def test_coordinator_creates_an_address_with_its_slots(coordinator_client, site_a):
    response = coordinator_client.post(
        reverse("casework:address_create"),
        {
            "name": "Harbour office",
            "site": str(site_a.pk),
            "care_of": "c/o Harbour Aid",
            "street": "Quay 4",
            "postcode_city": "20457 Hamburg",
            "box_format": "Fach {number}",
            "first_number": "101",
            "slot_count": "5",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    address = PostalAddress.objects.get(name="Harbour office")
    assert list(address.slots.values_list("number", flat=True)) == [101, 102, 103, 104, 105]
    assert address.slots.first().label == "Fach 101"
    assert AuditEntry.objects.filter(action="casework.postal_address.created").exists()


def test_a_numbering_scheme_without_the_number_is_refused(coordinator_client, site_a):
    response = coordinator_client.post(
        reverse("casework:address_create"),
        {
            "name": "X",
            "site": str(site_a.pk),
            "care_of": "c/o X",
            "street": "S",
            "postcode_city": "P",
            "box_format": "Box",
            "first_number": "1",
            "slot_count": "5",
        },
    )
    assert response.status_code == 200
    assert not PostalAddress.objects.filter(name="X").exists()


def test_coordinator_cannot_shrink_below_a_held_slot(coordinator_client, assignment_a, address_a):
    url = reverse("casework:address_edit", args=[address_a.pk])
    data = {
        "name": address_a.name,
        "site": str(address_a.site_id),
        "care_of": address_a.care_of,
        "street": address_a.street,
        "postcode_city": address_a.postcode_city,
        "box_format": address_a.box_format,
        "slot_count": "1",
        "is_active": "on",
    }
    refused = coordinator_client.post(url, data)
    assert "still held" in refused.content.decode()
    address_a.refresh_from_db()
    assert address_a.slot_count == 3

    data["slot_count"] = "10"
    assert coordinator_client.post(url, data).status_code == 302
    address_a.refresh_from_db()
    assert address_a.slots.filter(retired=False).count() == 10
    assert AuditEntry.objects.filter(action="casework.postal_address.changed").exists()


def test_slot_overview_shows_holders_by_code_and_quarantine(
    counsellor_a_client, assignment_a, address_a, coordinator, site_a, django_assert_max_num_queries
):
    from casework.services_addresses import assignment_end

    other = assign(ClientFactory(registered_site=site_a), address_a, coordinator, number=3)
    assignment_end(assignment=other, reason=EndReason.HANDED_BACK, actor=coordinator)

    # 13 with the count of due reminders that the navigation shows on every page.
    with django_assert_max_num_queries(13):
        page = counsellor_a_client.get(reverse("casework:address_slots", args=[address_a.pk]))

    text = page.content.decode()
    assert assignment_a.client.display_code in text
    assert "Quarantine until" in text
    assert "Amina" not in text
