"""A month of drop-in work to report on: October 2026 at two sites."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from casework.models import AgeBand, Gender, Region, Topic
from core.models import Site, User
from referrals.models import ProviderKind
from tests.factories import ClientFactory, SiteFactory, VisitFactory
from tests.referrals.factories import (
    CostGuaranteeFactory,
    InvoiceFactory,
    ProviderFactory,
    ReferralFactory,
)

MONTH = "2026-10"
ZONE = ZoneInfo("Europe/Zurich")


def moment(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=ZONE)


@pytest.fixture
def october(site_a: Site, coordinator: User) -> dict[str, object]:
    """12 people at site A and 2 at site B, each with one visit; 6 referrals; one guarantee.

    Site B's 2 people are a small cell; so is the one person behind the fund's money.
    """
    site_b = SiteFactory(name="Site B")
    # Seeded by a migration, but a transactional (browser) test may start without them.
    health, _new = Topic.objects.get_or_create(code="health", defaults={"name": "Health"})
    legal, _new = Topic.objects.get_or_create(code="legal", defaults={"name": "Legal / residence"})
    clients = []
    for n in range(12):
        female = n < 7
        client = ClientFactory(
            registered_site=site_a,
            registered_at=moment(date(2026, 10, 2)),
            gender=Gender.FEMALE if female else Gender.MALE,
            age_band=AgeBand.FROM_25 if female else AgeBand.FROM_35,
            region=Region.WEST_AFRICA if n % 2 else Region.LATIN_AMERICA,
        )
        visit = VisitFactory(client=client, site=site_a, date=date(2026, 10, 5))
        visit.topics.set([health, legal] if n < 3 else [health])
        clients.append(client)
    for _n in range(2):
        client = ClientFactory(
            registered_site=site_b,
            registered_at=moment(date(2026, 9, 20)),
            gender=Gender.DIVERSE,
            age_band=AgeBand.FROM_18,
            region=Region.EAST_ASIA,
        )
        VisitFactory(client=client, site=site_b, date=date(2026, 10, 10))
    # A visit in September belongs to another month's report.
    VisitFactory(client=clients[0], site=site_a, date=date(2026, 9, 30))

    gp = ProviderFactory(kind=ProviderKind.GENERAL_PRACTITIONER)
    referrals = [
        ReferralFactory(
            client=client,
            provider=gp,
            followed_by=coordinator,
            created_at=moment(date(2026, 10, 6)),
        )
        for client in clients[:6]
    ]
    guarantee = CostGuaranteeFactory(
        referral=referrals[0], issued_at=moment(date(2026, 10, 7)), amount=Decimal("500.00")
    )
    InvoiceFactory(guarantee=guarantee, invoice_date=date(2026, 10, 20))
    return {"site_b": site_b, "clients": clients, "fund": guarantee.fund}
