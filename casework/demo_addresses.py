"""A fictional postal address with a few slots and letters for `manage.py seed_demo` (DEBUG only,
idempotent)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from casework.demo import DEMO_SITE, demo_code
from casework.models import Client
from casework.models.addresses import PostalAddress, SenderCategory
from casework.services_addresses import mail_hand_over, mail_log, postal_address_save, slot_assign
from core.demo import demo_email
from core.models import Site, User

DEMO_ADDRESS = "Demo address Central"

# (client code body, name on letters, letters as (days ago, sender, urgent, handed over))
DEMO_HOLDERS = [
    ("DEM2A", "Example Person One", [(3, SenderCategory.COURT, True, False),
                                     (20, SenderCategory.HEALTH, False, True)]),
    ("DEM2E", "Demo Willow", [(16, SenderCategory.AUTHORITY, False, False)]),
]  # fmt: skip


def seed_addresses(write: Callable[[str], None]) -> None:
    if PostalAddress.objects.filter(name=DEMO_ADDRESS).exists():
        return
    coordinator = User.objects.get(email=demo_email("coordinator"))
    counsellor = User.objects.get(email=demo_email("counsellor"))
    address = postal_address_save(
        address=PostalAddress(
            name=DEMO_ADDRESS,
            site=Site.objects.get(name=DEMO_SITE),
            care_of="c/o Demo Association (fictional)",
            street="Example Street 1",
            postcode_city="0000 Demo City",
            box_format="Box {number}",
            slot_count=20,
        ),
        actor=coordinator,
    )
    today = timezone.localdate()
    for body, name_on_letters, letters in DEMO_HOLDERS:
        client = Client.objects.get(code=demo_code(body))
        assignment = slot_assign(
            client=client,
            address=address,
            name_on_letters=name_on_letters,
            starts_on=today - timedelta(days=60),
            actor=coordinator,
        )
        for days_ago, sender, urgent, handed_over in letters:
            received_on = today - timedelta(days=days_ago)
            item = mail_log(
                assignment=assignment,
                received_on=received_on,
                sender_category=sender,
                urgent=urgent,
                note="",
                actor=counsellor,
            )
            if handed_over:
                mail_hand_over(item=item, on=received_on + timedelta(days=2), actor=counsellor)
    write(f"Demo address: {DEMO_ADDRESS} with 20 slots, 2 held, letters waiting at the desk.")
