"""Fictional providers, a fund and a few referrals for `manage.py seed_demo` (DEBUG only,
idempotent). Every provider's name says it is made up."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from casework.demo import demo_code
from casework.models import Client, Language
from core.demo import demo_email
from core.models import User
from referrals import services
from referrals.models import Acceptance, Fund, Provider, ProviderKind, Referral

DEMO_FUND = "Demo health fund"

# (name, kind, specialities, languages, acceptances, availability)
DEMO_PROVIDERS = [
    ("Demo Practice Example (GP)", ProviderKind.GENERAL_PRACTITIONER, ["General medicine"],
     ["fr", "en"], [Acceptance.PRO_BONO], "Volunteer doctor, 1st and 3rd Tuesday"),
    ("Demo City Hospital Example", ProviderKind.HOSPITAL, ["Emergency", "Maternity"],
     ["en", "ar"], [Acceptance.FUND_PAID], "Weekdays; call the social service first"),
    ("Demo Dental Clinic Example", ProviderKind.DENTAL, ["Extractions"], ["es"],
     [Acceptance.REDUCED_FEE, Acceptance.FUND_PAID], "Wednesday afternoons"),
    ("Demo Legal Advice Example", ProviderKind.LEGAL, ["Labour law"], ["fr", "ru"],
     [Acceptance.PRO_BONO], "By appointment"),
]  # fmt: skip


def seed_referrals(write: Callable[[str], None]) -> None:
    if Provider.objects.filter(name__startswith="Demo ").exists():
        return
    coordinator = User.objects.get(email=demo_email("coordinator"))
    providers = []
    for name, kind, specialities, languages, acceptances, availability in DEMO_PROVIDERS:
        providers.append(
            services.provider_save(
                actor=coordinator,
                provider=Provider(name=name, kind=kind, availability=availability),
                specialities=specialities,
                languages=list(Language.objects.filter(code__in=languages)),
                acceptances=acceptances,
                changed=["name", "kind", "availability"],
            )
        )
    fund = services.fund_save(
        actor=coordinator,
        fund=Fund(name=DEMO_FUND, currency="CHF", low_balance_threshold=Decimal("500.00")),
        changed=["name", "currency"],
    )
    services.fund_set_budget(
        actor=coordinator, fund=fund, period=fund.current_period(), amount=Decimal("5000.00")
    )
    heron = Client.objects.get(code=demo_code("DEM2A"))
    lark = Client.objects.get(code=demo_code("DEM2B"))
    booked = services.referral_create(
        actor=coordinator,
        client=heron,
        provider=providers[1],
        reason="pregnancy",
        urgency="soon",
        interpreter_language=Language.objects.get(code="fr"),
        accompaniment="needed",
        notes="Demo note: first check-up.",
    )
    _move(booked, "send", coordinator)
    tomorrow = timezone.localdate() + timedelta(days=1)
    _move(
        booked,
        "book",
        coordinator,
        appointment_at=timezone.make_aware(datetime.combine(tomorrow, time(10, 30))),
    )
    services.guarantee_issue(
        actor=coordinator, referral=booked, fund=fund, amount=Decimal("800.00")
    )
    services.referral_create(
        actor=coordinator,
        client=lark,
        provider=providers[2],
        reason="dental",
        urgency="routine",
        interpreter_language=None,
        accompaniment="",
        notes="",
    )
    write(f"Referrals: {len(providers)} demo providers, the fund “{DEMO_FUND}”, 2 referrals.")


def _move(referral: Referral, action: str, actor: User, **kwargs: object) -> None:
    services.referral_transition(
        actor=actor,
        referral=referral,
        action=action,
        expected_version=referral.version,
        **kwargs,  # type: ignore[arg-type]
    )
