"""The mail desk: logging in one submit, clear refusals, hand-over, return, the waiting list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.models.addresses import EndReason, MailItem, MailStatus, SenderCategory
from casework.services_addresses import assignment_end
from core.models import AuditEntry
from tests.casework.addresses.conftest import assign, letter
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

LOG_URL = reverse("casework:address_mail_log")
DESK_URL = reverse("casework:address_desk")


def log_data(reference: str, address, **extra) -> dict[str, str]:
    data = {
        "reference": reference,
        "address": str(address.pk),
        "received_on": timezone.localdate().isoformat(),
        "sender_category": SenderCategory.COURT,
    }
    data.update(extra)
    return data


def test_a_letter_for_a_known_slot_is_logged_in_one_submit(counsellor_a_client, assignment_a):
    response = counsellor_a_client.post(
        LOG_URL, log_data("2", assignment_a.slot.address, urgent="on", note="Hearing on 3 May")
    )

    assert response.status_code == 302
    assert response["Location"].startswith(DESK_URL)
    item = MailItem.objects.get()
    assert item.assignment == assignment_a and item.client == assignment_a.client
    assert item.urgent and item.status == MailStatus.WAITING
    assert item.note == "Hearing on 3 May"
    entry = AuditEntry.objects.get(action="casework.mail.logged")
    assert entry.object_ref == str(item.pk)
    assert entry.details == {"sender_category": "court", "urgent": True, "has_note": True}
    desk = counsellor_a_client.get(response["Location"]).content.decode()
    assert "Box 2" in desk


def test_a_letter_can_be_logged_by_client_code(coordinator_client, assignment_a):
    code = assignment_a.client.code
    typed = f"{code[:3].lower()} {code[3:].lower()}"
    response = coordinator_client.post(LOG_URL, log_data(typed, assignment_a.slot.address))
    assert response.status_code == 302
    assert MailItem.objects.get().assignment == assignment_a


def test_with_one_address_the_address_is_not_asked(counsellor_a_client, address_a):
    page = counsellor_a_client.get(DESK_URL).content.decode()
    assert f'type="hidden" name="address" value="{address_a.pk}"' in page


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("99", "has no slot 99"),
        ("3", "is not assigned to anyone"),
        ("ABCDEFG", "neither a slot number nor a valid client code"),
    ],
)
def test_a_wrong_slot_gives_a_clear_message_and_logs_nothing(
    counsellor_a_client, assignment_a, reference, message
):
    response = counsellor_a_client.post(LOG_URL, log_data(reference, assignment_a.slot.address))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "Nothing was logged." in response.content.decode()
    assert not MailItem.objects.exists()
    assert not AuditEntry.objects.filter(action="casework.mail.logged").exists()


def test_an_ended_slot_says_so_and_logs_nothing(counsellor_a_client, assignment_a, coordinator):
    assignment_end(assignment=assignment_a, reason=EndReason.MOVED_AWAY, actor=coordinator)

    response = counsellor_a_client.post(LOG_URL, log_data("2", assignment_a.slot.address))

    assert "was given up on" in response.content.decode()
    assert "Return the letter to the sender" in response.content.decode()
    assert not MailItem.objects.exists()


def test_a_client_code_without_a_slot_here_logs_nothing(counsellor_a_client, address_a, site_a):
    stranger = ClientFactory(registered_site=site_a)
    response = counsellor_a_client.post(LOG_URL, log_data(stranger.code, address_a))
    assert "has no current slot" in response.content.decode()
    assert not MailItem.objects.exists()


def test_another_sites_address_cannot_be_chosen(counsellor_b_client, assignment_a):
    response = counsellor_b_client.post(LOG_URL, log_data("2", assignment_a.slot.address))
    assert response.status_code == 200
    assert not MailItem.objects.exists()


def test_a_future_date_is_refused(counsellor_a_client, assignment_a):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = counsellor_a_client.post(
        LOG_URL, log_data("2", assignment_a.slot.address, received_on=tomorrow)
    )
    assert "in the future" in response.content.decode()
    assert not MailItem.objects.exists()


def test_waiting_letters_are_listed_urgent_first_and_per_site(
    counsellor_a_client, counsellor_b_client, assignment_a, assignment_b, coordinator
):
    today = timezone.localdate()
    letter(assignment_a, coordinator, received_on=today - timedelta(days=5))
    letter(assignment_a, coordinator, urgent=True, received_on=today)
    letter(assignment_b, coordinator)

    page_a = counsellor_a_client.get(DESK_URL)
    page_b = counsellor_b_client.get(DESK_URL)

    items_a = list(page_a.context["page"].object_list)
    assert [i.urgent for i in items_a] == [True, False]
    assert all(i.address == assignment_a.slot.address for i in items_a)
    assert [i.assignment for i in page_b.context["page"].object_list] == [assignment_b]
    assert "waiting 5 days" in page_a.content.decode()


def test_desk_list_query_count_is_pinned(
    coordinator_client, coordinator, address_a, site_a, django_assert_max_num_queries
):
    for number in (1, 2, 3):
        holder = assign(
            ClientFactory(registered_site=site_a), address_a, coordinator, number=number
        )
        for _ in range(20):
            letter(holder, coordinator)

    with django_assert_max_num_queries(12):
        response = coordinator_client.get(DESK_URL)

    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 50
    assert response.context["page"].paginator.num_pages == 2


def test_letter_details_are_audited_as_a_read(counsellor_a_client, assignment_a, coordinator):
    item = letter(assignment_a, coordinator, note="Bring ID")
    response = counsellor_a_client.get(reverse("casework:address_mail_detail", args=[item.pk]))
    assert "Bring ID" in response.content.decode()
    assert AuditEntry.objects.filter(
        action="casework.mail.viewed", object_ref=str(item.pk)
    ).exists()


def test_handing_over_records_date_and_who(counsellor_a_client, counsellor_a, assignment_a):
    today = timezone.localdate()
    item = letter(assignment_a, counsellor_a, received_on=today - timedelta(days=3))
    url = reverse("casework:address_mail_hand_over", args=[item.pk])

    assert counsellor_a_client.get(url).status_code == 200
    response = counsellor_a_client.post(url, {"on": (today - timedelta(days=1)).isoformat()})

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == MailStatus.HANDED_OVER
    assert item.handed_over_on == today - timedelta(days=1)
    assert item.handed_over_by == counsellor_a
    assert AuditEntry.objects.filter(action="casework.mail.handed_over").exists()
    again = counsellor_a_client.post(url, {"on": today.isoformat()})
    assert "no longer waiting" in again.content.decode()


def test_a_hand_over_before_the_letter_came_is_refused(
    counsellor_a_client, assignment_a, coordinator
):
    item = letter(assignment_a, coordinator)
    earlier = (item.received_on - timedelta(days=1)).isoformat()
    url = reverse("casework:address_mail_hand_over", args=[item.pk])
    response = counsellor_a_client.post(url, {"on": earlier})
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.is_waiting


def test_returning_to_sender(coordinator_client, coordinator, assignment_a):
    item = letter(assignment_a, coordinator)
    url = reverse("casework:address_mail_return", args=[item.pk])
    response = coordinator_client.post(url, {"on": item.received_on.isoformat()})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == MailStatus.RETURNED
    assert item.returned_by == coordinator
    assert AuditEntry.objects.filter(action="casework.mail.returned").exists()


def test_mail_for_an_expired_address_is_logged_with_a_warning(counsellor_a_client, assignment_a):
    assignment_a.starts_on = timezone.localdate() - timedelta(days=400)
    assignment_a.expires_on = timezone.localdate() - timedelta(days=1)
    assignment_a.save(update_fields=["starts_on", "expires_on"])

    response = counsellor_a_client.post(
        LOG_URL, log_data("2", assignment_a.slot.address), follow=True
    )

    assert MailItem.objects.filter(assignment=assignment_a).count() == 1
    assert "This address expired on" in response.content.decode()


def test_a_desk_without_an_address_says_so(counsellor_b_client, address_a):
    page = counsellor_b_client.get(DESK_URL).content.decode()
    assert "No postal address is kept at your sites yet." in page
    assert 'name="reference"' not in page
