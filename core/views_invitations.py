"""Inviting staff: administrators send single-use links; invitees set a password and enrol MFA.

There is no public sign-up. The token travels only in the link; the database keeps its hash.
"""

from __future__ import annotations

import uuid

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.internal.flows.reauthentication import reauthenticate_by_password
from allauth.account.internal.flows.signup import complete_signup
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from core.forms import AcceptInvitationForm, InvitationForm
from core.models import Invitation, User
from core.roles import Role, role_required, sudo_required
from core.services import invitation_accept, invitation_create, invitation_revoke

PAGE_SIZE = 50


def get_pending_invitation(public_id: uuid.UUID) -> Invitation:
    """The pending invitation with this id, or 404."""
    invitation = Invitation.objects.usable().filter(public_id=public_id).first()
    if invitation is None:
        raise Http404
    return invitation


@require_GET
@role_required(Role.ADMINISTRATOR)
def invitation_list(request: HttpRequest) -> HttpResponse:
    pending = (
        Invitation.objects.usable()
        .select_related("invited_by")
        .prefetch_related("sites")
        .order_by("-created_at")
    )
    page = Paginator(pending, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/invitation_list.html", {"page": page})


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMINISTRATOR)
@sudo_required
def invitation_create_view(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        admin: User = request.user  # type: ignore[assignment]
        invitation, token = invitation_create(
            invited_by=admin,
            email=form.cleaned_data["email"],
            role=Role(form.cleaned_data["role"]),
            sites=form.cleaned_data["sites"],
        )
        link = request.build_absolute_uri(reverse("core:invitation_accept", args=[token]))
        # The message carries the link and the organisation's name, nothing about the person.
        get_account_adapter(request).send_mail(
            "core/email/invitation",
            invitation.email,
            {"link": link, "organisation_name": settings.ORGANISATION_NAME},
        )
        # The token is shown once, here: it cannot be recovered from the database later.
        return render(
            request,
            "core/invitation_created.html",
            {"invitation": invitation, "link": link},
        )
    return render(request, "core/invitation_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMINISTRATOR)
@sudo_required
def invitation_revoke_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    invitation = get_pending_invitation(public_id)
    if request.method == "POST":
        try:
            invitation_revoke(invitation=invitation, actor=request.user)  # type: ignore[arg-type]
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("The invitation was withdrawn; its link no longer works."))
        return redirect("core:invitation_list")
    return render(request, "core/invitation_revoke.html", {"invitation": invitation})


@login_not_required
@never_cache
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    invitation = Invitation.find_usable(token)
    if invitation is None:
        return render(request, "core/invitation_invalid.html", status=410)
    if request.user.is_authenticated:
        return render(request, "core/invitation_signed_in.html", status=409)
    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept(token=token, password=form.cleaned_data["password1"])
        except ValidationError:
            return render(request, "core/invitation_invalid.html", status=410)
        response = complete_signup(request, user=user, redirect_url=reverse("mfa_index"))
        if request.user.is_authenticated:
            # The password was typed a moment ago: count it as the re-authentication that
            # allauth asks for before enrolling a second factor, instead of asking again.
            reauthenticate_by_password(request)
            messages.info(
                request,
                _("Welcome. Set up a second factor now: your account needs one to continue."),
            )
        return response
    return render(
        request,
        "core/invitation_accept.html",
        {"form": form, "invitation": invitation, "organisation_name": settings.ORGANISATION_NAME},
    )
