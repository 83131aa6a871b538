"""Who may see which part of the address service.

The mail desk belongs to a site: a counsellor works the addresses kept at their sites, a
coordinator all of them. Which people a user may open is decided by `casework.access`; giving
someone a slot, or a place on the waiting list, links them to the address's site there. Objects
outside a user's scope are "not found" (404), never "forbidden", so their existence is not
revealed.
"""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.http import Http404

from casework.models.addresses import (
    MailItem,
    MailQuerySet,
    PostalAddress,
    SlotAssignment,
    WaitlistEntry,
)
from core.models import User
from core.roles import Role


def addresses_for(user: User) -> QuerySet[PostalAddress]:
    if user.has_role(Role.COORDINATOR):
        return PostalAddress.objects.all()
    if user.has_role(Role.COUNSELLOR):
        return PostalAddress.objects.filter(site_id__in=user.site_ids)
    return PostalAddress.objects.none()


def get_address_for(user: User, address_id: uuid.UUID) -> PostalAddress:
    address = addresses_for(user).select_related("site").filter(pk=address_id).first()
    if address is None:
        raise Http404
    return address


def mail_for(user: User) -> MailQuerySet:
    return MailItem.objects.filter(address__in=addresses_for(user))


def get_mail_for(user: User, mail_id: uuid.UUID) -> MailItem:
    item = (
        mail_for(user)
        .select_related("assignment__slot__address", "client", "handed_over_by")
        .filter(pk=mail_id)
        .first()
    )
    if item is None:
        raise Http404
    return item


def get_assignment_for(user: User, assignment_id: uuid.UUID) -> SlotAssignment:
    assignment = (
        SlotAssignment.objects.select_related("slot__address", "client")
        .filter(pk=assignment_id, slot__address__in=addresses_for(user))
        .first()
    )
    if assignment is None:
        raise Http404
    return assignment


def get_waitlist_entry_for(user: User, entry_id: uuid.UUID) -> WaitlistEntry:
    entry = (
        WaitlistEntry.objects.select_related("address", "client")
        .filter(pk=entry_id, address__in=addresses_for(user))
        .first()
    )
    if entry is None:
        raise Http404
    return entry
