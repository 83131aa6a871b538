"""The synthetic address service for `manage.py seed_synthetic`: postal addresses, their slots,
who held which slot when, and the letters that came for them (see casework.synthetic).

It ends up as the service would have left it: one holder per slot at a time, an ended
assignment holds its slot through the quarantine (and no longer after it, as
`release_lapsed_quarantines` leaves it), letters only arrive while an assignment runs, none
waits on an ended one, and every holder is known at the site where the mail is kept. Names on
letters and notes are sealed under the holder's data key. No reminders about letters or
expiring assignments are seeded (of all reminders, only visits' follow-ups are).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from casework.models import ClientSite
from casework.models.addresses import (
    AddressSlot,
    EndReason,
    MailItem,
    MailStatus,
    PostalAddress,
    SenderCategory,
    SlotAssignment,
    add_months,
    assignment_months,
    quarantine_end,
)
from casework.synthetic import FIRST_NAMES, LAST_NAMES, Cast, ClientBatch, fake_text, pick
from core import bulk
from core.models import User

ADDRESS_PREFIX = "Synthetic address"
# About this share of clients holds a slot at any time; slots leave room for quarantine.
HOLDING_SHARE = 0.05
SLOTS_PER_HOLDER = 1.5
# Above this many slots, the network runs two addresses (a slot number has at most 4 digits).
ONE_ADDRESS_SLOTS = 1500
MEAN_HOLDING_DAYS = 800
MIN_HOLDING_DAYS = 60
SLOT_TRIES = 20
SENDERS = [
    (SenderCategory.AUTHORITY, 30),
    (SenderCategory.HEALTH, 22),
    (SenderCategory.PRIVATE, 14),
    (SenderCategory.INSURER, 10),
    (SenderCategory.COURT, 8),
    (SenderCategory.EMPLOYER, 5),
    (SenderCategory.UNKNOWN, 11),
]
URGENT_SHARE = {SenderCategory.COURT: 0.5, SenderCategory.AUTHORITY: 0.15}
END_REASONS = [
    (EndReason.HANDED_BACK, 35),
    (EndReason.MOVED_AWAY, 35),
    (EndReason.NOT_RENEWED, 30),
]
# Letters a month for one holder: most get a few, some many.
LETTERS_PER_MONTH = [0.2, 0.4, 0.6, 0.8, 1.2]
RETURNED_SHARE = 0.04
# Mean days until the holder collects a letter; a few letters wait for weeks.
COLLECTION_DAYS = 6
SLOW_COLLECTION_SHARE = 0.01


@dataclass
class AddressPlan:
    """The addresses and, per slot, the stretches it is held (quarantine included)."""

    addresses: list[PostalAddress]
    site_indexes: list[int]  # into Cast.sites, per address
    slots: list[list[AddressSlot]]  # per address
    slot_weights: list[int]  # per address
    take_share: float  # of clients with visits, the chance to ask for a slot once
    held: dict[int, list[tuple[date, date]]] = field(default_factory=dict)  # by slot pk
    assignments: int = 0
    current: int = 0
    letters: int = 0
    waiting: int = 0


def seed_addresses(cast: Cast, *, clients: int, years: int) -> AddressPlan:
    """One address at the big site, a second at the next site once the slots are many."""
    total = max(2, round(clients * HOLDING_SHARE * SLOTS_PER_HOLDER))
    count = 1 if total <= ONE_ADDRESS_SLOTS or len(cast.sites) < 2 else 2
    sizes = [total // count + (1 if n < total % count else 0) for n in range(count)]
    addresses = [
        PostalAddress.objects.create(
            name=f"{ADDRESS_PREFIX} {n + 1}",
            site=cast.sites[n],
            care_of="c/o Synthetic Association (fictional)",
            street=f"Examplestrasse {n + 1}",
            postcode_city="0000 Synthtown",
            box_format="Box {number}" if n == 0 else "Fach {number}",
            slot_count=size,
        )
        for n, size in enumerate(sizes)
    ]
    slots = [
        AddressSlot.objects.bulk_create(
            [AddressSlot(address=address, number=number) for number in address.numbers]
        )
        for address in addresses
    ]
    # Each holder stays about MEAN_HOLDING_DAYS: so many people must take a slot over the
    # years for HOLDING_SHARE of them to hold one at any time.
    span = years * 365
    return AddressPlan(
        addresses=addresses,
        site_indexes=list(range(count)),
        slots=slots,
        slot_weights=sizes,
        take_share=min(1.0, HOLDING_SHARE * span / (MEAN_HOLDING_DAYS + MIN_HOLDING_DAYS)),
    )


def seed_address_batch(
    rng: random.Random, cast: Cast, plan: AddressPlan, batch: ClientBatch, *, today: date
) -> int:
    """Assignments and letters of one batch of clients. Rows inserted."""
    assignments: list[SlotAssignment] = []
    letters: list[MailItem] = []
    links: list[ClientSite] = []
    for number, visits in batch.visits_by_client.items():
        if not visits or rng.random() >= plan.take_share:
            continue
        client = batch.clients[number]
        starts_on = rng.choice(visits).date
        ended_on = starts_on + timedelta(
            days=MIN_HOLDING_DAYS + int(rng.expovariate(1 / MEAN_HOLDING_DAYS))
        )
        reason = pick(rng, END_REASONS)
        expires_on, renewed_on = _term(rng, starts_on, min(ended_on, today))
        if reason == EndReason.NOT_RENEWED:
            ended_on = expires_on + timedelta(days=rng.randint(0, 45))
        current = ended_on > today
        free_again = date.max if current else quarantine_end(ended_on)
        at = rng.choices(range(len(plan.addresses)), plan.slot_weights)[0]
        slot = _free_slot(rng, plan, at, starts_on, free_again)
        if slot is None:
            continue  # every slot tried was taken then: the person went on the waiting list
        site = plan.site_indexes[at]
        staff = cast.counsellors[site] or cast.coordinators
        assignment = SlotAssignment(
            slot=slot,
            client=client,
            name_on_letters=(client.name or f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"),
            starts_on=starts_on,
            expires_on=expires_on,
            renewed_on=renewed_on,
            ended_on=None if current else ended_on,
            end_reason="" if current else reason,
            quarantine_until=None if current else free_again,
            holds_slot=free_again > today,
            created_at=cast.at(starts_on, rng.randrange(480)),
            created_by=rng.choice(staff),
        )
        assignments.append(assignment)
        plan.assignments += 1
        plan.current += current
        if site not in batch.sites_by_client[number]:
            links.append(
                ClientSite(
                    client=client, site=cast.sites[site], first_seen_at=assignment.created_at
                )
            )
        letters.extend(
            _letters(rng, cast, plan, assignment, staff, until=today if current else ended_on)
        )
    rows = bulk.insert(ClientSite, links) + bulk.insert(SlotAssignment, assignments)
    return rows + bulk.insert(MailItem, letters)


def _term(rng: random.Random, starts_on: date, until: date) -> tuple[date, date | None]:
    """The expiry and last renewal of an assignment renewed (shortly before each expiry) while
    it ran until `until`; one still running may have expired a few weeks ago, unrenewed."""
    months = assignment_months()
    expires_on, renewed_on = add_months(starts_on, months), None
    while expires_on < until - timedelta(days=rng.randint(0, 30)):
        renewed_on = expires_on - timedelta(days=rng.randint(0, 20))
        expires_on = add_months(expires_on, months)
    return expires_on, renewed_on


def _free_slot(
    rng: random.Random, plan: AddressPlan, at: int, start: date, end: date
) -> AddressSlot | None:
    """A slot of address `at` nobody holds from `start` until `end`, now claimed for it."""
    slots = plan.slots[at]
    for _ in range(SLOT_TRIES):
        slot = rng.choice(slots)
        held = plan.held.setdefault(slot.pk, [])
        if all(end <= begin or start >= until for begin, until in held):
            held.append((start, end))
            return slot
    return None


def _letters(
    rng: random.Random,
    cast: Cast,
    plan: AddressPlan,
    assignment: SlotAssignment,
    staff: list[User],
    *,
    until: date,
) -> list[MailItem]:
    """Letters that came while the assignment ran; on an ended one, none still waits."""
    rate = rng.choice(LETTERS_PER_MONTH) / 30
    current = assignment.ended_on is None
    letters = []
    day = assignment.starts_on + timedelta(days=int(rng.expovariate(rate)))
    while day <= until:
        sender = pick(rng, SENDERS)
        slow = rng.random() < SLOW_COLLECTION_SHARE
        closed = day + timedelta(
            days=rng.randint(20, 120) if slow else int(rng.expovariate(1 / COLLECTION_DAYS))
        )
        if not current:
            closed = min(closed, until)
        status = MailStatus.WAITING
        if closed <= until:
            status = (
                MailStatus.RETURNED if rng.random() < RETURNED_SHARE else MailStatus.HANDED_OVER
            )
        by = rng.choice(staff)
        letters.append(
            MailItem(
                assignment=assignment,
                client=assignment.client,
                address=assignment.slot.address,
                received_on=day,
                sender_category=sender,
                urgent=rng.random() < URGENT_SHARE.get(sender, 0.04),
                note=fake_text(rng, rng.randint(3, 10)) if rng.random() < 0.15 else "",
                status=status,
                logged_at=cast.at(day, rng.randrange(480)),
                logged_by=by,
                handed_over_on=closed if status == MailStatus.HANDED_OVER else None,
                handed_over_by=by if status == MailStatus.HANDED_OVER else None,
                returned_on=closed if status == MailStatus.RETURNED else None,
                returned_by=by if status == MailStatus.RETURNED else None,
            )
        )
        plan.waiting += status == MailStatus.WAITING
        day += timedelta(days=1 + int(rng.expovariate(rate)))
    plan.letters += len(letters)
    return letters
