"""A person with a unique marker in every encrypted field of every personal model.

`PERSONAL_SEEDERS` maps each model that holds encrypted values to a function that creates one
row of it for a given client. A structural test fails when a personal model has no seeder, so
no new model escapes the marker tests.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.db import models

from casework.models import Client, NeedsAssessment, Visit
from casework.models.addresses import MailItem, PostalAddress, SlotAssignment
from core.fields import EncryptedDateField, encrypted_fields
from core.models import Site
from tests.factories import ClientFactory
from tests.referrals.factories import ReferralFactory

MARKER = "Zephyrine Quillfeather"
MARKER_DATE = date(1913, 7, 19)
# The forms a marker could take on its way out: as typed, in upper case, as a date.
MARKER_FORMS = (MARKER, MARKER.upper(), "Zephyrine", "Quillfeather", "1913-07-19", "19.07.1913")


def fill_markers(instance: models.Model) -> models.Model:
    for field in encrypted_fields(type(instance)):
        value = MARKER_DATE if isinstance(field, EncryptedDateField) else MARKER
        if field.plaintext_max_length is not None:
            value = value if not isinstance(value, str) else value[: field.plaintext_max_length]
        setattr(instance, field.attname, value)
    instance.save()
    return instance


def _client(site: Site) -> Client:
    return ClientFactory(registered_site=site)


def _address_assignment(client: Client) -> SlotAssignment:
    existing = SlotAssignment.objects.filter(client=client).first()
    if existing is not None:
        return existing
    address = PostalAddress.objects.create(
        name=f"Seeded address {client.pk}",
        site=client.registered_site,
        care_of="c/o Seeded",
        street="Street 1",
        postcode_city="1000 Town",
        slot_count=1,
    )
    address.sync_slots()
    return SlotAssignment.objects.create(
        slot=address.slots.get(),
        client=client,
        starts_on=date(2027, 1, 1),
        expires_on=date(2028, 1, 1),
    )


def _mail_item(client: Client) -> MailItem:
    assignment = _address_assignment(client)
    return MailItem.objects.create(
        assignment=assignment,
        client=client,
        address=assignment.slot.address,
        received_on=date(2027, 2, 1),
        sender_category="court",
    )


def _visit(client: Client) -> Visit:
    return Visit.objects.create(client=client, site=client.registered_site)


def _needs_assessment(client: Client) -> NeedsAssessment:
    return NeedsAssessment.objects.create(client=client, site=client.registered_site)


# model label -> creates one row about `client` (encrypted fields are filled afterwards).
PERSONAL_SEEDERS: dict[str, Callable[[Client], models.Model]] = {
    "casework.visit": _visit,
    "casework.needsassessment": _needs_assessment,
    "casework.slotassignment": _address_assignment,
    "casework.mailitem": _mail_item,
    "referrals.referral": lambda client: ReferralFactory(client=client),
}


def seed_person(site: Site) -> dict[str, models.Model]:
    """A client of `site` with one marked row of every personal model."""
    client = fill_markers(_client(site))
    rows: dict[str, models.Model] = {"casework.client": client}
    for label, seeder in PERSONAL_SEEDERS.items():
        rows[label] = fill_markers(seeder(client))
    return rows


def contains_marker(text: str) -> bool:
    return any(form in text for form in MARKER_FORMS)
