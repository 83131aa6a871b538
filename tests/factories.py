"""factory_boy factories shared by the whole suite."""

from __future__ import annotations

from typing import Any

import factory
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Group

from core.models import Site, User
from core.roles import Role

TEST_PASSWORD = "correct horse battery staple"


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Drop-in {n}")
    opening_hours = "Mon & Thu 14:00-18:00"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"staff{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Staff {n}")
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def roles(self, create: bool, extracted: list[Role] | None, **kwargs: Any) -> None:
        for role in extracted or []:
            # get_or_create: transactional tests flush the groups the migration made.
            self.groups.add(Group.objects.get_or_create(name=role.value)[0])

    @factory.post_generation
    def sites(self, create: bool, extracted: list[Site] | None, **kwargs: Any) -> None:
        for site in extracted or []:
            self.sites.add(site)

    @factory.post_generation
    def with_totp(self, create: bool, extracted: bool | None, **kwargs: Any) -> None:
        if extracted is not False:
            give_totp(self)


def give_totp(user: User) -> str:
    """Enrol `user` in TOTP and return the secret, so tests can compute codes."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def totp_secret(user: User) -> str:
    from allauth.mfa.adapter import get_adapter

    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return get_adapter().decrypt(authenticator.data["secret"])


class ClientFactory(factory.django.DjangoModelFactory):
    """An anonymous client, registered (and so seen) at `registered_site`; `seen_at=[...]`
    adds sites. Pass identity fields to give them."""

    class Meta:
        model = "casework.Client"
        skip_postgeneration_save = True

    pseudonym = factory.Sequence(lambda n: f"Pseudonym {n}")
    registered_site = factory.SubFactory(SiteFactory)

    @factory.post_generation
    def seen_at(self, create: bool, extracted: list[Site] | None, **kwargs: Any) -> None:
        from casework.models import ClientSite

        for site in [self.registered_site, *(extracted or [])]:
            ClientSite.link(self, site)


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "casework.Visit"

    client = factory.SubFactory(ClientFactory)
    site = factory.LazyAttribute(lambda visit: visit.client.registered_site)
