"""Two coordinators acting at the same moment: exactly one wins. Real PostgreSQL, two
connections, two threads."""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import connections

from core.roles import Role
from referrals import ledger, services
from referrals.models import CostGuarantee, Referral, ReferralEvent, Status
from tests.factories import UserFactory
from tests.referrals.factories import FundFactory, ReferralFactory, give_budget

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def role_groups() -> None:
    # A transactional test empties the database afterwards, rows from data migrations included;
    # whichever of these runs after another needs the role groups back.
    for role in Role:
        Group.objects.get_or_create(name=role.value)


def race(*actions: Callable[[], object]) -> list[object]:
    """Run each action in its own thread and database connection, released together.

    Returns what each returned or raised, in order.
    """
    barrier = threading.Barrier(len(actions))
    results: list[object] = [None] * len(actions)

    def run(index: int, action: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = action()
        except Exception as error:
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_transitions_at_once_exactly_one_wins():
    first, second = UserFactory.create_batch(2, roles=[Role.COORDINATOR])
    referral_id = ReferralFactory(status=Status.BOOKED).pk

    def act(user, action: str) -> Callable[[], object]:
        def go() -> object:
            # Each loaded the referral before either acted, as two open browser tabs would.
            seen = Referral.objects.get(pk=referral_id)
            return services.referral_transition(
                actor=user, referral=seen, action=action, expected_version=seen.version
            )

        return go

    results = race(act(first, "attended"), act(second, "cancel"))

    winners = [r for r in results if isinstance(r, Referral)]
    losers = [r for r in results if isinstance(r, services.ReferralConflict)]
    assert (len(winners), len(losers)) == (1, 1), results
    referral = Referral.objects.get(pk=referral_id)
    assert referral.status == winners[0].status
    assert referral.version == 2
    assert ReferralEvent.objects.filter(referral_id=referral_id).count() == 1


def test_the_same_step_twice_at_once_is_taken_once():
    users = UserFactory.create_batch(4, roles=[Role.COORDINATOR])
    referral_id = ReferralFactory(status=Status.SENT).pk

    def send_booking(user) -> Callable[[], object]:
        def go() -> object:
            seen = Referral.objects.get(pk=referral_id)
            return services.referral_transition(
                actor=user,
                referral=seen,
                action="decline",
                expected_version=seen.version,
            )

        return go

    results = race(*(send_booking(u) for u in users))

    assert sum(isinstance(r, Referral) for r in results) == 1, results
    assert sum(isinstance(r, services.ReferralConflict) for r in results) == 3
    assert ReferralEvent.objects.filter(referral_id=referral_id).count() == 1


def test_two_guarantees_at_once_cannot_both_spend_the_same_money():
    first, second = UserFactory.create_batch(2, roles=[Role.COORDINATOR])
    fund = FundFactory()
    give_budget(fund, "1000.00", by=first)
    referrals = ReferralFactory.create_batch(2, status=Status.SENT)

    def issue(user, referral) -> Callable[[], object]:
        return lambda: services.guarantee_issue(
            actor=user, referral=referral, fund=fund, amount=Decimal("700.00")
        )

    results = race(issue(first, referrals[0]), issue(second, referrals[1]))

    assert sum(isinstance(r, CostGuarantee) for r in results) == 1, results
    assert sum(isinstance(r, services.OverrideNeeded) for r in results) == 1
    assert ledger.period_figures(fund, fund.current_period()).left.amount == Decimal("300.00")
