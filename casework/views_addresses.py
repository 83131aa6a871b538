"""The address service at the desk: mail log, assignments, waiting list, addresses.

Counsellors and coordinators run the desk (counsellors for the addresses of their sites);
coordinators manage the addresses themselves. Reporting and administrator roles see none of it.
"""

from __future__ import annotations

import uuid
from typing import cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casework.access import get_client_for
from casework.access_addresses import (
    addresses_for,
    get_address_for,
    get_assignment_for,
    get_mail_for,
    get_waitlist_entry_for,
    mail_for,
)
from casework.forms_addresses import (
    AssignForm,
    EndForm,
    HandOverForm,
    MailLogForm,
    PostalAddressForm,
    ReturnForm,
    WaitlistForm,
)
from casework.models.addresses import (
    AddressSlot,
    EndReason,
    PostalAddress,
    SlotAssignment,
    WaitlistEntry,
)
from casework.services_addresses import (
    AddressServiceError,
    NoFreeSlot,
    assignment_end,
    assignment_renew,
    mail_hand_over,
    mail_log,
    mail_return,
    postal_address_save,
    slot_assign,
    waitlist_add,
    waitlist_withdraw,
)
from core.audit import log_action
from core.models import User
from core.roles import Role, role_required

DESK = (Role.COUNSELLOR, Role.COORDINATOR)
PAGE_SIZE = 50
SLOTS_PAGE_SIZE = 100


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


# --- Mail ----------------------------------------------------------------------------------


def _log_form(request: HttpRequest, data: dict[str, str] | None = None) -> MailLogForm:
    initial = {"address": request.GET.get("address")} if request.GET.get("address") else {}
    return MailLogForm(data, addresses=addresses_for(_user(request)), initial=initial)


@require_GET
@role_required(*DESK)
def desk(request: HttpRequest) -> HttpResponse:
    """Letters waiting, urgent first, with the form to log the next one."""
    waiting = (
        mail_for(_user(request))
        .waiting()
        .select_related("assignment__slot__address", "client")
        .urgent_first()
    )
    page = Paginator(waiting, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "casework/address/desk.html",
        {"page": page, "form": _log_form(request), "today": timezone.localdate()},
    )


@require_http_methods(["GET", "POST"])
@role_required(*DESK)
def mail_log_view(request: HttpRequest) -> HttpResponse:
    form = _log_form(request, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            item = mail_log(
                assignment=form.assignment,
                received_on=form.cleaned_data["received_on"],
                sender_category=form.cleaned_data["sender_category"],
                urgent=form.cleaned_data["urgent"],
                note=form.cleaned_data["note"],
                actor=_user(request),
            )
        except AddressServiceError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(
                request,
                _("Letter logged for %(slot)s (client %(code)s).")
                % {"slot": form.assignment.slot.label, "code": item.client.display_code},
            )
            if form.assignment.is_expired():
                messages.warning(
                    request,
                    _("This address expired on %(date)s: renew it when the person comes.")
                    % {"date": date_format(form.assignment.expires_on)},
                )
            return redirect(f"{reverse('casework:address_desk')}?address={item.address_id}")
    return render(request, "casework/address/mail_log.html", {"form": form})


@require_GET
@role_required(*DESK)
def mail_detail(request: HttpRequest, mail_id: uuid.UUID) -> HttpResponse:
    item = get_mail_for(_user(request), mail_id)
    log_action("casework.mail.viewed", actor=_user(request), obj=item)
    return render(request, "casework/address/mail_detail.html", {"item": item})


def _close_mail(
    request: HttpRequest, mail_id: uuid.UUID, *, form_class: type[HandOverForm], returning: bool
) -> HttpResponse:
    item = get_mail_for(_user(request), mail_id)
    form = form_class(request.POST if request.method == "POST" else None, item=item)
    if request.method == "POST" and form.is_valid():
        action = mail_return if returning else mail_hand_over
        try:
            action(item=item, on=form.cleaned_data["on"], actor=_user(request))
        except AddressServiceError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(
                request,
                _("The letter was marked as returned to the sender.")
                if returning
                else _("The letter was marked as handed over."),
            )
            return redirect(f"{reverse('casework:address_desk')}?address={item.address_id}")
    return render(
        request,
        "casework/address/mail_close.html",
        {"item": item, "form": form, "returning": returning},
    )


@require_http_methods(["GET", "POST"])
@role_required(*DESK)
def mail_hand_over_view(request: HttpRequest, mail_id: uuid.UUID) -> HttpResponse:
    return _close_mail(request, mail_id, form_class=HandOverForm, returning=False)


@require_http_methods(["GET", "POST"])
@role_required(*DESK)
def mail_return_view(request: HttpRequest, mail_id: uuid.UUID) -> HttpResponse:
    return _close_mail(request, mail_id, form_class=ReturnForm, returning=True)


# --- A person's address --------------------------------------------------------------------


@require_GET
@role_required(*DESK)
def client_lookup(request: HttpRequest) -> HttpResponse:
    """The desk's "open a person" box: a client code in, their address page out."""
    try:
        client = get_client_for(_user(request), request.GET.get("code", ""))
    except Http404:
        messages.error(request, _("There is no client with this code that you may see."))
        return redirect("casework:address_desk")
    return redirect("casework:address_client", code=client.code)


@require_GET
@role_required(*DESK)
def client_address(request: HttpRequest, code: str) -> HttpResponse:
    client = get_client_for(_user(request), code)
    assignments = list(
        SlotAssignment.objects.filter(client=client).select_related("slot__address", "client")
    )
    current = next((a for a in assignments if a.is_active), None)
    waiting_entries = WaitlistEntry.objects.filter(client=client, closed_at=None).select_related(
        "address"
    )
    mail = client.mail.select_related("assignment__slot__address").order_by("-received_on")[:20]
    log_action("casework.address.viewed", actor=_user(request), obj=client)
    return render(
        request,
        "casework/address/client.html",
        {
            "client": client,
            "current": current,
            "assignments": assignments,
            "waiting_entries": waiting_entries,
            "mail": mail,
            "waitlist_form": WaitlistForm(addresses=addresses_for(_user(request))),
            "today": timezone.localdate(),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(*DESK)
def assign(request: HttpRequest, code: str) -> HttpResponse:
    client = get_client_for(_user(request), code)
    addresses = addresses_for(_user(request))
    form = AssignForm(request.POST if request.method == "POST" else None, addresses=addresses)
    full = False
    if request.method == "POST" and form.is_valid():
        try:
            assignment = slot_assign(
                client=client,
                address=form.cleaned_data["address"],
                slot=form.slot,
                name_on_letters=form.cleaned_data["name_on_letters"],
                starts_on=form.cleaned_data["starts_on"],
                actor=_user(request),
            )
        except NoFreeSlot as error:
            full = True
            form.add_error(None, str(error.message))
        except AddressServiceError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(
                request,
                _("%(slot)s is assigned until %(date)s.")
                % {"slot": assignment.slot.label, "date": date_format(assignment.expires_on)},
            )
            return redirect("casework:address_client", code=client.code)
    free = dict(
        AddressSlot.objects.free()
        .filter(address__in=addresses.filter(is_active=True))
        .values_list("address")
        .annotate(n=Count("id"))
    )
    choices = [(address, free.get(address.pk, 0)) for address in addresses.filter(is_active=True)]
    return render(
        request,
        "casework/address/assign.html",
        {"client": client, "form": form, "full": full, "free_slots": choices},
    )


@require_POST
@role_required(*DESK)
def waitlist_add_view(request: HttpRequest, code: str) -> HttpResponse:
    client = get_client_for(_user(request), code)
    form = WaitlistForm(request.POST, addresses=addresses_for(_user(request)))
    if form.is_valid():
        try:
            waitlist_add(client=client, address=form.cleaned_data["address"], actor=_user(request))
        except AddressServiceError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("The person is on the waiting list."))
    else:
        messages.error(request, _("Choose an address."))
    return redirect("casework:address_client", code=client.code)


def _back_to_client(assignment: SlotAssignment) -> HttpResponse:
    if assignment.client.code is None:
        return redirect("casework:address_desk")
    return redirect("casework:address_client", code=assignment.client.code)


@require_http_methods(["GET", "POST"])
@role_required(*DESK)
def assignment_renew_view(request: HttpRequest, assignment_id: uuid.UUID) -> HttpResponse:
    assignment = get_assignment_for(_user(request), assignment_id)
    today = timezone.localdate()
    error = ""
    if request.method == "POST":
        try:
            renewed = assignment_renew(assignment=assignment, actor=_user(request), today=today)
        except AddressServiceError as refused:
            error = str(refused.message)
        else:
            messages.success(
                request,
                _("Renewed until %(date)s. Print a new confirmation letter.")
                % {"date": date_format(renewed.expires_on)},
            )
            return _back_to_client(assignment)
    return render(
        request,
        "casework/address/assignment_renew.html",
        {
            "assignment": assignment,
            "new_expiry": assignment.renewal_expiry(today),
            "error": error,
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(*DESK)
def assignment_end_view(request: HttpRequest, assignment_id: uuid.UUID) -> HttpResponse:
    assignment = get_assignment_for(_user(request), assignment_id)
    form = EndForm(request.POST if request.method == "POST" else None, assignment=assignment)
    if request.method == "POST" and form.is_valid():
        try:
            assignment_end(
                assignment=assignment,
                reason=EndReason(form.cleaned_data["reason"]),
                ended_on=form.cleaned_data["ended_on"],
                actor=_user(request),
            )
        except AddressServiceError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("The assignment has ended; the slot rests in quarantine."))
            return _back_to_client(assignment)
    return render(
        request, "casework/address/assignment_end.html", {"assignment": assignment, "form": form}
    )


@require_GET
@role_required(*DESK)
def assignment_letter(request: HttpRequest, assignment_id: uuid.UUID) -> HttpResponse:
    """The printable confirmation: the address as letters must carry it, and its validity."""
    assignment = get_assignment_for(_user(request), assignment_id)
    if not assignment.is_active:
        raise Http404
    log_action("casework.address.letter_printed", actor=_user(request), obj=assignment)
    return render(request, "casework/address/letter.html", {"assignment": assignment})


# --- Waiting list --------------------------------------------------------------------------


@require_GET
@role_required(*DESK)
def waitlist(request: HttpRequest) -> HttpResponse:
    entries = (
        WaitlistEntry.objects.filter(closed_at=None, address__in=addresses_for(_user(request)))
        .select_related("address", "client")
        .order_by("address__name", "added_at")
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "casework/address/waitlist.html", {"page": page})


@require_http_methods(["GET", "POST"])
@role_required(*DESK)
def waitlist_withdraw_view(request: HttpRequest, entry_id: uuid.UUID) -> HttpResponse:
    entry = get_waitlist_entry_for(_user(request), entry_id)
    error = ""
    if request.method == "POST":
        try:
            waitlist_withdraw(entry=entry, actor=_user(request))
        except AddressServiceError as refused:
            error = str(refused.message)
        else:
            messages.success(request, _("The person was taken off the waiting list."))
            return redirect("casework:address_waitlist")
    return render(
        request, "casework/address/waitlist_withdraw.html", {"entry": entry, "error": error}
    )


# --- Addresses and slots -------------------------------------------------------------------


@require_GET
@role_required(Role.COORDINATOR)
def address_list(request: HttpRequest) -> HttpResponse:
    addresses = PostalAddress.objects.select_related("site")
    page = Paginator(addresses, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = [address.pk for address in page.object_list]
    in_use = dict(
        SlotAssignment.objects.active()
        .filter(slot__address__in=shown)
        .values_list("slot__address")
        .annotate(n=Count("id"))
    )
    waiting = dict(
        WaitlistEntry.objects.filter(closed_at=None, address__in=shown)
        .values_list("address")
        .annotate(n=Count("id"))
    )
    rows = [
        (address, in_use.get(address.pk, 0), waiting.get(address.pk, 0))
        for address in page.object_list
    ]
    return render(request, "casework/address/address_list.html", {"page": page, "rows": rows})


def _address_form(request: HttpRequest, address: PostalAddress | None) -> HttpResponse:
    form = PostalAddressForm(request.POST if request.method == "POST" else None, instance=address)
    if request.method == "POST" and form.is_valid():
        try:
            saved = postal_address_save(address=form.instance, actor=_user(request))
        except AddressServiceError as error:
            form.add_error("slot_count", str(error.message))
        else:
            messages.success(request, _("The address was saved."))
            return redirect("casework:address_slots", address_id=saved.pk)
    return render(request, "casework/address/address_form.html", {"form": form, "address": address})


@require_http_methods(["GET", "POST"])
@role_required(Role.COORDINATOR)
def address_create(request: HttpRequest) -> HttpResponse:
    return _address_form(request, None)


@require_http_methods(["GET", "POST"])
@role_required(Role.COORDINATOR)
def address_edit(request: HttpRequest, address_id: uuid.UUID) -> HttpResponse:
    return _address_form(request, get_address_for(_user(request), address_id))


@require_GET
@role_required(*DESK)
def address_slots(request: HttpRequest, address_id: uuid.UUID) -> HttpResponse:
    """Every slot of an address with its current holder (by client code) or its quarantine."""
    address = get_address_for(_user(request), address_id)
    slots = address.slots.filter(retired=False).order_by("number")
    page = Paginator(slots, SLOTS_PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    holders = {
        a.slot_id: a
        for a in SlotAssignment.objects.filter(
            slot__in=[s.pk for s in page.object_list], holds_slot=True
        )
        .filter(Q(ended_on=None) | Q(quarantine_until__gt=today))
        .select_related("client")
    }
    rows = [
        {"label": address.box_label(slot.number), "holder": holders.get(slot.pk)}
        for slot in page.object_list
    ]
    return render(
        request,
        "casework/address/address_slots.html",
        {"address": address, "page": page, "rows": rows, "today": today},
    )
