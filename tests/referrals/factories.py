"""Factories of the referrals area."""

from __future__ import annotations

import factory

from referrals.models import Provider, ProviderKind, Speciality


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
