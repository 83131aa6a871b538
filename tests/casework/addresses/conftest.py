"""Addresses, slots and people holding them, on top of the shared personas."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from casework.models import Client
from casework.models.addresses import MailItem, PostalAddress, SenderCategory, SlotAssignment
from casework.services_addresses import mail_log, postal_address_save, slot_assign
from core.models import Site, User
from tests.factories import ClientFactory


def make_address(site: Site, actor: User, *, name: str, slots: int = 3) -> PostalAddress:
    address = PostalAddress(
        name=name,
        site=site,
        care_of="c/o Solidarity Association",
        street="Main Street 1",
        postcode_city="8000 Zurich",
        box_format="Box {number}",
        slot_count=slots,
    )
    return postal_address_save(address=address, actor=actor)


def assign(
    client: Client,
    address: PostalAddress,
    actor: User,
    *,
    number: int | None = None,
    starts_on: date | None = None,
) -> SlotAssignment:
    return slot_assign(
        client=client,
        address=address,
        slot=address.slots.get(number=number) if number is not None else None,
        name_on_letters="Amina K.",
        starts_on=starts_on,
        actor=actor,
    )


def letter(assignment: SlotAssignment, actor: User, *, urgent: bool = False, **kw) -> MailItem:
    return mail_log(
        assignment=assignment,
        received_on=kw.get("received_on") or timezone.localdate(),
        sender_category=kw.get("sender_category", SenderCategory.COURT),
        urgent=urgent,
        note=kw.get("note", ""),
        actor=actor,
    )


@pytest.fixture
def address_a(site_a: Site, coordinator: User) -> PostalAddress:
    return make_address(site_a, coordinator, name="Office A")


@pytest.fixture
def address_b(site_b: Site, coordinator: User) -> PostalAddress:
    return make_address(site_b, coordinator, name="Office B")


@pytest.fixture
def person(site_a: Site) -> Client:
    return ClientFactory(registered_site=site_a)


@pytest.fixture
def other_person(site_a: Site) -> Client:
    return ClientFactory(registered_site=site_a)


@pytest.fixture
def assignment_a(person: Client, address_a: PostalAddress, coordinator: User) -> SlotAssignment:
    return assign(person, address_a, coordinator, number=2)


@pytest.fixture
def person_b(site_b: Site) -> Client:
    return ClientFactory(registered_site=site_b)


@pytest.fixture
def assignment_b(person_b: Client, address_b: PostalAddress, coordinator: User) -> SlotAssignment:
    return assign(person_b, address_b, coordinator, number=1)
