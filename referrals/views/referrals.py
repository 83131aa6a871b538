"""Referrals: made from a client's timeline or a visit, followed to an outcome."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casework.access import get_client_for, visits_visible_to
from casework.models import Client, Visit
from core.audit import log_action
from core.models import User
from core.roles import Role, role_required
from referrals import access, services
from referrals.forms.referrals import (
    ReferralEditForm,
    ReferralFilterForm,
    ReferralForm,
    TransitionForm,
)
from referrals.models import TRANSITIONS, GuaranteeStatus, Referral, Status

PAGE_SIZE = 25
CASE_ROLES = (Role.COUNSELLOR, Role.COORDINATOR)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@require_GET
@role_required(*CASE_ROLES)
def referral_list(request: HttpRequest) -> HttpResponse:
    form = ReferralFilterForm(request.GET or None)
    referrals = access.referrals_visible_to(_user(request)).select_related("client", "provider")
    status = form.cleaned_data.get("status", "") if form.is_valid() else ""
    if status == "":
        referrals = referrals.exclude(status=Status.CLOSED)
    elif status != "all":
        referrals = referrals.filter(status=status)
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "referrals/referral_list.html", {"form": form, "page": page})


@require_http_methods(["GET", "POST"])
@role_required(*CASE_ROLES)
def referral_create(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    client = get_client_for(user, code)
    visit = _visit_of(user, client, request.GET.get("visit"))
    form = ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        referral = services.referral_create(
            actor=user,
            client=client,
            provider=form.cleaned_data["provider"],
            reason=form.cleaned_data["reason"],
            urgency=form.cleaned_data["urgency"],
            interpreter_language=form.cleaned_data["interpreter_language"],
            accompaniment=form.cleaned_data["accompaniment"],
            notes=form.cleaned_data["notes"],
            visit=visit,
        )
        messages.success(request, _("Referral drafted."))
        return redirect("referrals:referral_detail", referral_id=referral.id)
    return render(
        request, "referrals/referral_form.html", {"form": form, "client": client, "visit": visit}
    )


def _visit_of(user: User, client: Client, visit_id: str | None) -> Visit | None:
    """The visit of `client` named in the query string, if any; a wrong one is a 404."""
    if not visit_id:
        return None
    try:
        pk = uuid.UUID(visit_id)
    except ValueError:
        raise Http404 from None
    visit = visits_visible_to(user).filter(pk=pk, client=client).first()
    if visit is None:
        raise Http404
    return visit


@require_GET
@role_required(*CASE_ROLES)
def referral_detail(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    user = _user(request)
    referral = access.get_referral_for(user, referral_id)
    guarantees = referral.guarantees.select_related("fund").prefetch_related("invoices")
    log_action("referrals.referral.viewed", actor=user, obj=referral)
    return render(
        request,
        "referrals/referral_detail.html",
        {
            "referral": referral,
            "events": referral.events.select_related("by"),
            "guarantees": guarantees,
            "transitions": referral.available_transitions(),
            "is_coordinator": user.has_role(Role.COORDINATOR),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(*CASE_ROLES)
def referral_edit(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    user = _user(request)
    referral = access.get_referral_for(user, referral_id)
    if referral.is_closed:
        messages.error(request, _("A closed referral cannot be changed."))
        return redirect("referrals:referral_detail", referral_id=referral.id)
    form = ReferralEditForm(request.POST or None, instance=referral)
    if request.method == "GET":
        # The form shows the notes: opening it is a read of the person.
        log_action("referrals.referral.viewed", actor=user, obj=referral, details={"page": "edit"})
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_update(
                actor=user,
                referral=form.save(commit=False),
                expected_version=form.cleaned_data["version"],
                changed=[name for name in form.changed_data if name != "version"],
            )
        except services.ReferralConflict as conflict:
            form.add_error(None, str(conflict))
        else:
            messages.success(request, _("Referral saved."))
            return redirect("referrals:referral_detail", referral_id=referral.id)
    return render(
        request,
        "referrals/referral_form.html",
        {"form": form, "client": referral.client, "referral": referral},
    )


@require_http_methods(["GET", "POST"])
@role_required(*CASE_ROLES)
def referral_transition(
    request: HttpRequest, referral_id: uuid.UUID, transition: str
) -> HttpResponse:
    user = _user(request)
    referral = access.get_referral_for(user, referral_id)
    step = TRANSITIONS.get(transition)
    if step is None:
        raise Http404
    if not referral.allows(transition):
        messages.error(
            request,
            _("A referral that is “%(status)s” cannot take the step “%(step)s”.")
            % {"status": referral.get_status_display(), "step": step.label},
        )
        return redirect("referrals:referral_detail", referral_id=referral.id)
    form = TransitionForm(request.POST or None, transition=step, referral=referral)
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_transition(
                actor=user,
                referral=referral,
                action=transition,
                expected_version=form.cleaned_data["version"],
                appointment_at=form.cleaned_data.get("appointment_at"),
                outcome=form.cleaned_data.get("outcome", ""),
            )
        except services.ReferralConflict as conflict:
            messages.error(request, str(conflict))
        else:
            messages.success(request, _("Referral updated."))
        return redirect("referrals:referral_detail", referral_id=referral.id)
    return render(
        request,
        "referrals/referral_transition.html",
        {"form": form, "referral": referral, "transition": step},
    )


@require_GET
@role_required(*CASE_ROLES)
def referral_slip(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    """The slip the person carries to the provider: only what the provider needs."""
    user = _user(request)
    referral = access.get_referral_for(user, referral_id)
    guarantees = referral.guarantees.filter(status=GuaranteeStatus.OPEN).select_related("fund")
    show_pseudonym = settings.REFERRAL_SLIP_SHOWS_PSEUDONYM
    log_action(
        "referrals.slip.printed",
        actor=user,
        obj=referral,
        details={"pseudonym_shown": show_pseudonym},
    )
    return render(
        request,
        "referrals/referral_slip.html",
        {
            "referral": referral,
            "client_code": referral.client.display_code,
            "pseudonym": referral.client.pseudonym if show_pseudonym else "",
            "guarantees": guarantees,
            "organisation_name": settings.ORGANISATION_NAME,
            "organisation_contact": settings.ORGANISATION_CONTACT,
        },
    )


@require_POST
@role_required(Role.COORDINATOR)
def referral_follow(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    """Make the signed-in coordinator the one who follows the referral (and gets its reminders)."""
    user = _user(request)
    referral: Referral = access.get_referral_for(user, referral_id)
    if referral.followed_by_id != user.pk:
        services.referral_follow(actor=user, referral=referral)
        messages.success(request, _("You now follow this referral."))
    return redirect("referrals:referral_detail", referral_id=referral.id)
