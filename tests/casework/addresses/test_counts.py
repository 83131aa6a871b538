"""Counts for the monthly report: aggregate only, by sender category, per site if asked."""

from __future__ import annotations

from datetime import date

import pytest

from casework.models.addresses import EndReason
from casework.services_addresses import assignment_end
from casework.stats_addresses import address_service_counts
from tests.casework.addresses.conftest import assign, letter
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

MARCH = {"start": date(2027, 3, 1), "end": date(2027, 3, 31)}


def test_counts_for_a_month(
    address_a, address_b, coordinator, site_a, site_b, django_assert_max_num_queries
):
    a1 = assign(
        ClientFactory(registered_site=site_a), address_a, coordinator, starts_on=date(2027, 2, 1)
    )
    a2 = assign(
        ClientFactory(registered_site=site_a), address_a, coordinator, starts_on=date(2027, 3, 5)
    )
    b1 = assign(
        ClientFactory(registered_site=site_b), address_b, coordinator, starts_on=date(2027, 3, 6)
    )
    court = letter(a1, coordinator, received_on=date(2027, 3, 2), sender_category="court")
    february = letter(a1, coordinator, received_on=date(2027, 2, 27), sender_category="court")
    february.hand_over(on=date(2027, 2, 28), by=coordinator)
    health = letter(a2, coordinator, received_on=date(2027, 3, 10), sender_category="health")
    letter(b1, coordinator, received_on=date(2027, 3, 11), sender_category="insurer")
    court.hand_over(on=date(2027, 3, 3), by=coordinator)
    health.return_to_sender(on=date(2027, 4, 2), by=coordinator)
    assignment_end(
        assignment=a1, reason=EndReason.HANDED_BACK, ended_on=date(2027, 3, 20), actor=coordinator
    )

    with django_assert_max_num_queries(7):
        everywhere = address_service_counts(**MARCH)
    at_a = address_service_counts(**MARCH, site_ids=[site_a.pk])

    assert everywhere.slots_total == 6
    assert everywhere.slots_in_use == 2  # a2 and b1; a1 ended in March
    assert everywhere.assignments_started == 2
    assert everywhere.assignments_ended == 1
    assert everywhere.letters_received == {
        "court": 1,
        "authority": 0,
        "health": 1,
        "insurer": 1,
        "employer": 0,
        "private": 0,
        "unknown": 0,
    }
    assert everywhere.letters_handed_over["court"] == 1
    assert sum(everywhere.letters_returned.values()) == 0
    assert at_a.slots_total == 3
    assert at_a.slots_in_use == 1
    assert at_a.letters_received["insurer"] == 0
    assert (
        address_service_counts(start=date(2027, 4, 1), end=date(2027, 4, 30)).letters_returned[
            "health"
        ]
        == 1
    )
