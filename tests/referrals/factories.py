"""Factories of the referrals area."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory
from django.utils import timezone

from core.models import User
from referrals.models import (
    CostGuarantee,
    Fund,
    FundBudget,
    Invoice,
    Provider,
    ProviderKind,
    ReasonCategory,
    Referral,
    Speciality,
    Urgency,
)
from referrals.models.funds import new_voucher_code
from referrals.periods import PeriodKind
from tests.factories import ClientFactory, UserFactory


class SpecialityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speciality
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Speciality {n}")


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Dr. Provider {n}")
    kind = ProviderKind.GENERAL_PRACTITIONER
    address = "Main street 1\n8000 Town"
    phone = "+41 44 000 00 00"
    availability = "Tuesdays"
    accepts_fund_paid = True

    @factory.post_generation
    def specialities(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        for name in extracted or []:
            self.specialities.add(SpecialityFactory(name=name))

    @factory.post_generation
    def languages(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        from casework.models import Language

        if extracted:
            self.languages.set(Language.objects.filter(code__in=extracted))


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    client = factory.SubFactory(ClientFactory)
    provider = factory.SubFactory(ProviderFactory)
    reason = ReasonCategory.GENERAL
    urgency = Urgency.ROUTINE
    followed_by = factory.SubFactory(UserFactory)
    created_by = factory.SelfAttribute("followed_by")


class FundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Fund

    name = factory.Sequence(lambda n: f"Fund {n}")
    currency = "CHF"
    period_kind = PeriodKind.YEAR


def give_budget(
    fund: Fund, amount: str, day: date | None = None, *, by: User | None = None
) -> None:
    """Set the fund's budget for the period containing `day` (today by default)."""
    period = fund.period_containing(day or timezone.localdate())
    FundBudget.objects.update_or_create(
        fund=fund,
        period_start=period.start,
        defaults={"amount": Decimal(amount), "set_by": by or UserFactory()},
    )


class CostGuaranteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CostGuarantee

    referral = factory.SubFactory(ReferralFactory)
    fund = factory.SubFactory(FundFactory)
    period_start = factory.LazyAttribute(lambda g: g.fund.current_period().start)
    amount = Decimal("300.00")
    voucher_code = factory.LazyFunction(new_voucher_code)
    issued_by = factory.SelfAttribute("referral.followed_by")


class InvoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invoice

    guarantee = factory.SubFactory(CostGuaranteeFactory)
    invoice_date = factory.LazyFunction(timezone.localdate)
    amount_billed = Decimal("120.00")
    amount_due = factory.SelfAttribute("amount_billed")
    recorded_by = factory.SelfAttribute("guarantee.issued_by")
    status_changed_by = factory.SelfAttribute("recorded_by")
