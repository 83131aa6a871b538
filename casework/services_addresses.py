"""Writes of the address service that span several models, each with its audit entry."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from casework import reminders_addresses as reminders
from casework.models import Client, ClientSite
from casework.models.addresses import (
    AddressSlot,
    EndReason,
    MailItem,
    MailStatus,
    PostalAddress,
    SlotAssignment,
    WaitlistEntry,
    WaitlistReason,
    quarantine_end,
)
from core.audit import log_action
from core.models import User

# "Next free slot" is retried this often when another desk takes the same slot meanwhile.
_FREE_SLOT_ATTEMPTS = 5


class AddressServiceError(Exception):
    """A refused change, with a message fit for the person at the desk (no personal data)."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(message)
        self.message = message


class SlotUnavailable(AddressServiceError):
    pass


class NoFreeSlot(AddressServiceError):
    pass


class ClientHasAddress(AddressServiceError):
    pass


class MailStillWaiting(AddressServiceError):
    pass


def release_lapsed_quarantines(*, today: date | None = None) -> int:
    """Let go of slots whose quarantine is over. Returns how many were released."""
    today = today or timezone.localdate()
    return SlotAssignment.objects.filter(
        holds_slot=True, ended_on__isnull=False, quarantine_until__lte=today
    ).update(holds_slot=False)


@transaction.atomic
def postal_address_save(*, address: PostalAddress, actor: User) -> PostalAddress:
    """Save a new or changed address and bring its slots in line with the slot count."""
    created = address._state.adding
    held = [] if created else address.held_numbers_outside(address.numbers)
    if held:
        raise SlotUnavailable(
            _("Slots %(numbers)s are still held or in quarantine; keep them in the range.")
            % {"numbers": ", ".join(str(n) for n in held)}
        )
    address.save()
    address.sync_slots()
    log_action(
        "casework.postal_address.created" if created else "casework.postal_address.changed",
        actor=actor,
        obj=address,
        details={"slot_count": address.slot_count, "active": address.is_active},
    )
    return address


def _create_assignment(
    *, slot: AddressSlot, client: Client, name_on_letters: str, starts_on: date, actor: User
) -> SlotAssignment:
    assignment = SlotAssignment(
        slot=slot,
        client=client,
        starts_on=starts_on,
        expires_on=SlotAssignment.expiry_for(starts_on),
        created_by=actor,
    )
    assignment.name_on_letters = name_on_letters
    # A savepoint, so a lost race leaves the outer transaction usable.
    with transaction.atomic():
        assignment.save()
    return assignment


@transaction.atomic
def slot_assign(
    *,
    client: Client,
    address: PostalAddress,
    name_on_letters: str,
    actor: User,
    slot: AddressSlot | None = None,
    starts_on: date | None = None,
) -> SlotAssignment:
    """Give `client` a slot at `address`: the one asked for, or the lowest free one.

    The database decides who gets a contested slot (the one-holder-per-slot index); the
    loser gets a clear refusal, or the next free slot when none was asked for.
    """
    starts_on = starts_on or timezone.localdate()
    release_lapsed_quarantines()
    if SlotAssignment.objects.active().filter(client=client).exists():
        raise ClientHasAddress(_("This person already has an address. Renew or end it first."))
    if slot is not None and slot.address_id != address.pk:
        raise SlotUnavailable(_("That slot belongs to another address."))

    assignment: SlotAssignment | None = None
    for _attempt in range(1 if slot is not None else _FREE_SLOT_ATTEMPTS):
        candidate = slot if slot is not None else address.slots.free().first()
        if candidate is None:
            raise NoFreeSlot(_("All slots of this address are taken."))
        if candidate.retired:
            raise SlotUnavailable(_("That slot is no longer in service."))
        try:
            assignment = _create_assignment(
                slot=candidate,
                client=client,
                name_on_letters=name_on_letters,
                starts_on=starts_on,
                actor=actor,
            )
            break
        except IntegrityError:
            if SlotAssignment.objects.active().filter(client=client).exists():
                raise ClientHasAddress(
                    _("This person already has an address. Renew or end it first.")
                ) from None
    if assignment is None:
        raise SlotUnavailable(
            _("That slot was just given to someone else, or is still in quarantine.")
        )

    WaitlistEntry.objects.filter(client=client, closed_at__isnull=True).update(
        closed_at=timezone.now(), close_reason=WaitlistReason.ASSIGNED
    )
    # The person is now served at the site where the mail is kept; its desk may open them.
    ClientSite.link(client, address.site)
    reminders.assignment_started(assignment)
    log_action(
        "casework.address.assigned",
        actor=actor,
        obj=assignment,
        details={"address": str(address.pk), "slot": assignment.slot.number},
    )
    return assignment


@transaction.atomic
def assignment_renew(
    *, assignment: SlotAssignment, actor: User, today: date | None = None
) -> SlotAssignment:
    today = today or timezone.localdate()
    assignment = SlotAssignment.objects.select_for_update().get(pk=assignment.pk)
    if not assignment.is_active:
        raise AddressServiceError(_("An ended assignment cannot be renewed."))
    previous_expiry = assignment.expires_on
    assignment.expires_on = assignment.renewal_expiry(today)
    assignment.renewed_on = today
    assignment.save(update_fields=["expires_on", "renewed_on"])
    reminders.assignment_renewed(assignment, previous_expiry=previous_expiry, by=actor)
    log_action(
        "casework.address.renewed",
        actor=actor,
        obj=assignment,
        details={"expires_on": assignment.expires_on.isoformat()},
    )
    return assignment


def _end(
    assignment: SlotAssignment, *, reason: EndReason, ended_on: date, actor: User | None
) -> None:
    assignment.ended_on = ended_on
    assignment.end_reason = reason
    assignment.quarantine_until = quarantine_end(ended_on)
    assignment.save(update_fields=["ended_on", "end_reason", "quarantine_until"])
    reminders.assignment_ended(assignment, by=actor)
    log_action(
        "casework.address.ended",
        actor=actor,
        obj=assignment,
        details={
            "reason": reason.value,
            "quarantine_until": assignment.quarantine_until.isoformat(),
        },
    )


@transaction.atomic
def assignment_end(
    *,
    assignment: SlotAssignment,
    reason: EndReason,
    actor: User,
    ended_on: date | None = None,
) -> SlotAssignment:
    """End an assignment; its slot rests in quarantine. Refused while letters still wait."""
    # Locked, so that no letter is logged for it between the count and the end.
    assignment = SlotAssignment.objects.select_for_update().get(pk=assignment.pk)
    if not assignment.is_active:
        raise AddressServiceError(_("This assignment has ended already."))
    waiting = assignment.mail.waiting().count()
    if waiting:
        raise MailStillWaiting(
            _("%(count)d letter(s) still wait. Hand them over or return them first.")
            % {"count": waiting}
        )
    _end(assignment, reason=reason, ended_on=ended_on or timezone.localdate(), actor=actor)
    return assignment


@transaction.atomic
def address_service_erase_client(*, client: Client, actor: User | None) -> None:
    """Close everything the address service holds for a person being erased.

    Waiting letters go back to their senders (the person can no longer collect them under
    this record), the assignment ends with its slot in quarantine, waiting-list entries close.
    """
    today = timezone.localdate()
    for item in MailItem.objects.filter(client=client, status=MailStatus.WAITING):
        item.return_to_sender(on=today, by=actor)
        reminders.mail_closed(item, by=actor)
        log_action("casework.mail.returned", actor=actor, obj=item, details={"erased": True})
    for assignment in SlotAssignment.objects.active().filter(client=client):
        _end(assignment, reason=EndReason.ERASED, ended_on=today, actor=actor)
    WaitlistEntry.objects.filter(client=client, closed_at__isnull=True).update(
        closed_at=timezone.now(), close_reason=WaitlistReason.WITHDRAWN
    )


@transaction.atomic
def waitlist_add(*, client: Client, address: PostalAddress, actor: User) -> WaitlistEntry:
    if SlotAssignment.objects.active().filter(client=client).exists():
        raise ClientHasAddress(_("This person already has an address."))
    if WaitlistEntry.objects.filter(client=client, address=address, closed_at=None).exists():
        raise AddressServiceError(_("This person is already on the waiting list."))
    entry = WaitlistEntry.objects.create(client=client, address=address, added_by=actor)
    ClientSite.link(client, address.site)
    log_action(
        "casework.address_waitlist.added",
        actor=actor,
        obj=entry,
        details={"address": str(address.pk)},
    )
    return entry


@transaction.atomic
def waitlist_withdraw(*, entry: WaitlistEntry, actor: User) -> WaitlistEntry:
    if entry.closed_at is not None:
        raise AddressServiceError(_("This person is no longer on the waiting list."))
    entry.closed_at = timezone.now()
    entry.close_reason = WaitlistReason.WITHDRAWN
    entry.save(update_fields=["closed_at", "close_reason"])
    log_action("casework.address_waitlist.withdrawn", actor=actor, obj=entry)
    return entry


@transaction.atomic
def mail_log(
    *,
    assignment: SlotAssignment,
    received_on: date,
    sender_category: str,
    urgent: bool,
    note: str,
    actor: User,
) -> MailItem:
    # Locked, so that the assignment cannot end while the letter is being logged.
    locked = SlotAssignment.objects.select_for_update().get(pk=assignment.pk)
    if not locked.is_active:
        raise SlotUnavailable(_("This address assignment has ended; return the letter."))
    item = MailItem(
        assignment=assignment,
        client_id=assignment.client_id,
        address_id=assignment.slot.address_id,
        received_on=received_on,
        sender_category=sender_category,
        urgent=urgent,
        logged_by=actor,
    )
    item.note = note
    item.save()
    reminders.mail_logged(item)
    log_action(
        "casework.mail.logged",
        actor=actor,
        obj=item,
        details={"sender_category": sender_category, "urgent": urgent, "has_note": bool(note)},
    )
    return item


@transaction.atomic
def mail_hand_over(*, item: MailItem, on: date, actor: User) -> MailItem:
    item = MailItem.objects.select_for_update().get(pk=item.pk)
    if not item.is_waiting:
        raise AddressServiceError(_("This letter is no longer waiting."))
    item.hand_over(on=on, by=actor)
    reminders.mail_closed(item, by=actor)
    log_action("casework.mail.handed_over", actor=actor, obj=item)
    return item


@transaction.atomic
def mail_return(*, item: MailItem, on: date, actor: User) -> MailItem:
    item = MailItem.objects.select_for_update().get(pk=item.pk)
    if not item.is_waiting:
        raise AddressServiceError(_("This letter is no longer waiting."))
    item.return_to_sender(on=on, by=actor)
    reminders.mail_closed(item, by=actor)
    log_action("casework.mail.returned", actor=actor, obj=item)
    return item
