"""The one-holder-per-slot rule under concurrent assignment, on PostgreSQL.

Each thread has its own database connection and transaction, like two desks submitting at the
same moment. The database's partial unique index decides; the service turns the loser's
IntegrityError into a clear refusal (or, for "next free slot", into the next free slot).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from casework.models.addresses import SlotAssignment
from casework.services_addresses import AddressServiceError, slot_assign
from tests.casework.addresses.conftest import make_address
from tests.factories import ClientFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _race(calls: list[Callable[[], object]]) -> list[object]:
    """Run the calls in threads released at once; return each result or exception."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = calls[index]()
        except Exception as error:  # the test inspects what each thread got
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_desks_assigning_the_same_slot_give_it_to_exactly_one(site_a, coordinator):
    address = make_address(site_a, coordinator, name="Office", slots=3)
    slot = address.slots.get(number=2)
    people = [ClientFactory(registered_site=site_a) for _ in range(2)]

    results = _race(
        [
            lambda p=p: slot_assign(
                client=p, address=address, slot=slot, name_on_letters="N", actor=coordinator
            )
            for p in people
        ]
    )

    winners = [r for r in results if isinstance(r, SlotAssignment)]
    losers = [r for r in results if isinstance(r, AddressServiceError)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert SlotAssignment.objects.filter(slot=slot).count() == 1


def test_two_desks_taking_the_next_free_slot_get_different_slots(site_a, coordinator):
    address = make_address(site_a, coordinator, name="Office", slots=2)
    people = [ClientFactory(registered_site=site_a) for _ in range(2)]

    results = _race(
        [
            lambda p=p: slot_assign(
                client=p, address=address, name_on_letters="N", actor=coordinator
            )
            for p in people
        ]
    )

    assert all(isinstance(r, SlotAssignment) for r in results), results
    assert sorted(r.slot.number for r in results) == [1, 2]  # type: ignore[union-attr]


def test_one_free_slot_and_two_desks_leaves_one_refused(site_a, coordinator):
    address = make_address(site_a, coordinator, name="Office", slots=1)
    people = [ClientFactory(registered_site=site_a) for _ in range(2)]

    results = _race(
        [
            lambda p=p: slot_assign(
                client=p, address=address, name_on_letters="N", actor=coordinator
            )
            for p in people
        ]
    )

    assert sum(isinstance(r, SlotAssignment) for r in results) == 1, results
    assert sum(isinstance(r, AddressServiceError) for r in results) == 1, results
    assert SlotAssignment.objects.filter(slot__address=address).count() == 1
