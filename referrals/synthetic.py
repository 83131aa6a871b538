"""Synthetic providers and referrals for `manage.py seed_synthetic` (see casework.synthetic).

Providers are professionals, not clients, so nothing of theirs is encrypted; referral notes are,
under the referred client's data key, exactly as the app seals them.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.utils import timezone

from casework.models import Client, Language, Visit
from casework.synthetic import Cast, fake_text, pick
from core import bulk
from referrals.models import (
    CostGuarantee,
    Invoice,
    Outcome,
    Provider,
    ProviderKind,
    ReasonCategory,
    Referral,
    ReferralEvent,
    Speciality,
    Status,
    Urgency,
)
from referrals.synthetic_funds import FundPlan, seed_guarantee

SPECIALITIES = [
    "cardiology",
    "dermatology",
    "gynaecology",
    "paediatrics",
    "orthopaedics",
    "ophthalmology",
    "psychiatry",
    "oncology",
    "diabetes",
    "infectious-diseases",
    "physiotherapy",
    "radiology",
    "surgery",
    "asylum-law",
    "labour-law",
    "family-law",
    "tenancy-law",
    "debt-advice",
    "dental-surgery",
    "orthodontics",
]
KINDS = [
    (ProviderKind.GENERAL_PRACTITIONER, 30),
    (ProviderKind.SPECIALIST, 25),
    (ProviderKind.DENTAL, 10),
    (ProviderKind.HOSPITAL, 3),
    (ProviderKind.GYNAECOLOGY, 6),
    (ProviderKind.PHARMACY, 6),
    (ProviderKind.LABORATORY, 3),
    (ProviderKind.PSYCHOTHERAPY, 7),
    (ProviderKind.LEGAL, 7),
    (ProviderKind.SOCIAL, 3),
]
REASONS = [
    (ReasonCategory.GENERAL, 25),
    (ReasonCategory.ACUTE, 15),
    (ReasonCategory.CHRONIC, 15),
    (ReasonCategory.DENTAL, 12),
    (ReasonCategory.PREGNANCY, 6),
    (ReasonCategory.MENTAL_HEALTH, 8),
    (ReasonCategory.DIAGNOSTICS, 7),
    (ReasonCategory.MEDICATION, 4),
    (ReasonCategory.LEGAL, 5),
    (ReasonCategory.SOCIAL, 2),
    (ReasonCategory.OTHER, 1),
]
# Where referrals stand: most are long closed, a tail is still open.
STATUSES = [
    (Status.CLOSED, 62),
    (Status.ATTENDED, 8),
    (Status.BOOKED, 7),
    (Status.SENT, 6),
    (Status.DRAFTED, 2),
    (Status.NO_SHOW, 6),
    (Status.DECLINED, 3),
    (Status.CANCELLED, 6),
]
CLOSED_FROM = STATUSES[1:]
SETTLED_DAYS = 120
URGENCIES = [(Urgency.ROUTINE, 70), (Urgency.SOON, 22), (Urgency.URGENT, 8)]
# The way each status was reached, and for a closed referral what it was closed from.
PATHS = {
    Status.DRAFTED: [],
    Status.SENT: [Status.SENT],
    Status.BOOKED: [Status.SENT, Status.BOOKED],
    Status.ATTENDED: [Status.SENT, Status.BOOKED, Status.ATTENDED],
    Status.NO_SHOW: [Status.SENT, Status.BOOKED, Status.NO_SHOW],
    Status.DECLINED: [Status.SENT, Status.DECLINED],
    Status.CANCELLED: [Status.SENT, Status.CANCELLED],
}
OUTCOMES = [
    (Outcome.TREATED, 60),
    (Outcome.ONGOING, 15),
    (Outcome.REFERRED_ON, 8),
    (Outcome.NOT_TREATED, 5),
    (Outcome.LOST_CONTACT, 10),
    (Outcome.OTHER, 2),
]
ACTIONS = {
    Status.SENT: "send",
    Status.BOOKED: "book",
    Status.ATTENDED: "attended",
    Status.NO_SHOW: "no-show",
    Status.DECLINED: "decline",
    Status.CANCELLED: "cancel",
    Status.CLOSED: "close",
}


def seed_providers(rng: random.Random, count: int) -> list[Provider]:
    specialities = Speciality.for_names(SPECIALITIES)
    languages = list(Language.objects.all())
    providers = []
    for n in range(count):
        kind = pick(rng, KINDS)
        provider = Provider(
            name=f"Synthetic {ProviderKind(kind).label} {n + 1}",
            kind=kind,
            contact_person=f"Synthetic contact {n + 1}",
            address=f"Examplestrasse {rng.randint(1, 200)}, 0000 Synthtown",
            phone=f"+00 {rng.randrange(10**9):09d}",
            availability=rng.choice(["", "", "volunteer Tuesdays", "1st and 3rd Monday"]),
            monthly_capacity=rng.choice([None, 5, 10, 20, 50]),
            is_active=rng.random() < 0.92,
        )
        provider.set_acceptances(
            rng.sample(["pro-bono", "fund-paid", "reduced-fee", "insurance"], rng.randint(1, 3))
        )
        providers.append(provider)
    Provider.objects.bulk_create(providers, batch_size=1000)
    Through = Provider.specialities.through
    Through.objects.bulk_create(
        [
            Through(provider_id=provider.pk, speciality_id=speciality.pk)
            for provider in providers
            for speciality in rng.sample(specialities, rng.randint(0, 3))
        ],
        batch_size=5000,
    )
    Spoken = Provider.languages.through
    Spoken.objects.bulk_create(
        [
            Spoken(provider_id=provider.pk, language_id=language.pk)
            for provider in providers
            for language in rng.sample(languages, rng.randint(1, 3))
        ],
        batch_size=5000,
    )
    return providers


def seed_referral_batch(
    rng: random.Random,
    cast: Cast,
    *,
    providers: list[Provider],
    provider_weights: list[float],  # cumulative
    clients: list[Client],
    visits_by_client: dict[int, list[Visit]],
    referral_counts: list[int],
    funds: FundPlan,
) -> int:
    """Referrals of one batch of clients, each from one of the client's visits, with their
    cost guarantees and invoices. Rows inserted."""
    referrals: list[Referral] = []
    now = timezone.now()
    settled = now - timedelta(days=SETTLED_DAYS)
    events: list[ReferralEvent] = []
    guarantees: list[CostGuarantee] = []
    invoices: list[Invoice] = []
    for number, count in enumerate(referral_counts):
        visits = visits_by_client.get(number) or []
        if not count or not visits:
            continue
        client = clients[number]
        for visit in rng.choices(visits, k=count):
            # Referrals older than a few months have long been closed: only recent ones are open.
            old = visit.created_at < settled
            status = Status.CLOSED if old else pick(rng, STATUSES)
            path = list(PATHS.get(status, []))
            if status == Status.CLOSED:
                path = [*PATHS[pick(rng, CLOSED_FROM)], Status.CLOSED]
            created = visit.created_at
            appointment = created + timedelta(days=rng.randint(1, 30), hours=rng.randint(0, 8))
            booked = Status.BOOKED in path
            counsellor = visit.counsellor or rng.choice(cast.coordinators)
            coordinator = rng.choice(cast.coordinators)
            provider = rng.choices(providers, cum_weights=provider_weights)[0]
            referral = Referral(
                client=client,
                visit=visit,
                provider=provider,
                reason=pick(rng, REASONS),
                urgency=pick(rng, URGENCIES),
                interpreter_language=visit.language if rng.random() < 0.2 else None,
                notes=fake_text(rng, rng.randint(5, 25)) if rng.random() < 0.5 else "",
                status=status,
                appointment_at=appointment if booked else None,
                outcome=pick(rng, OUTCOMES) if status == Status.CLOSED else "",
                followed_by=coordinator,
                created_by=counsellor,
                created_at=created,
                status_changed_at=created,
            )
            referrals.append(referral)
            previous = Status.DRAFTED
            at = created
            reached: dict[str, datetime] = {}
            for step in path:
                at = appointment if step in (Status.ATTENDED, Status.NO_SHOW) else at
                at += timedelta(hours=rng.randint(1, 48))
                events.append(
                    ReferralEvent(
                        referral=referral,
                        action=ACTIONS[step],
                        from_status=previous,
                        to_status=step,
                        appointment_at=appointment if step == Status.BOOKED else None,
                        outcome=referral.outcome if step == Status.CLOSED else "",
                        by=coordinator,
                        at=at,
                    )
                )
                previous = step
                reached[step] = at
            referral.status_changed_at = at
            seed_guarantee(
                rng,
                funds,
                referral,
                kind=provider.kind,
                reached=reached,
                now=now,
                guarantees=guarantees,
                invoices=invoices,
            )
    rows = bulk.insert(Referral, referrals) + bulk.insert(ReferralEvent, events)
    return rows + bulk.insert(CostGuarantee, guarantees) + bulk.insert(Invoice, invoices)
