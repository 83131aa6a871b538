"""Staff management for administrators: roles, sites, and (de)activation of accounts."""

from __future__ import annotations

import uuid

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import UserForm
from core.models import User
from core.roles import Role, role_required, sudo_required
from core.services import user_deactivate, user_reactivate, user_update

PAGE_SIZE = 50
# The authenticators that count as a second factor; recovery codes alone do not.
SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


def get_staff_user(public_id: uuid.UUID) -> User:
    """The staff account with this id, or 404."""
    user = User.objects.prefetch_related("groups", "sites").filter(public_id=public_id).first()
    if user is None:
        raise Http404
    return user


@require_GET
@role_required(Role.ADMINISTRATOR)
def user_list(request: HttpRequest) -> HttpResponse:
    users = (
        User.objects.annotate(
            mfa_enrolled=Exists(
                Authenticator.objects.filter(user=OuterRef("pk"), type__in=SECOND_FACTORS)
            )
        )
        .prefetch_related("groups", "sites")
        .order_by("email")
    )
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/user_list.html", {"page": page})


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMINISTRATOR)
@sudo_required
def user_edit(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user = get_staff_user(public_id)
    initial = {"roles": [role.value for role in user.roles], "sites": list(user.sites.all())}
    form = UserForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            user_update(
                user=user,
                actor=request.user,  # type: ignore[arg-type]
                roles=form.chosen_roles,
                sites=form.cleaned_data["sites"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The account was saved."))
            return redirect("core:user_list")
    return render(request, "core/user_edit.html", {"form": form, "staff": user})


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMINISTRATOR)
@sudo_required
def user_deactivate_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user = get_staff_user(public_id)
    error = ""
    if request.method == "POST":
        try:
            user_deactivate(user=user, actor=request.user)  # type: ignore[arg-type]
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            messages.success(
                request, _("The account was deactivated and all its sessions were ended.")
            )
            return redirect("core:user_list")
    return render(
        request,
        "core/user_deactivate.html",
        {"staff": user, "error": error},
        status=400 if error else 200,
    )


@require_POST
@role_required(Role.ADMINISTRATOR)
@sudo_required
def user_reactivate_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user = get_staff_user(public_id)
    user_reactivate(user=user, actor=request.user)  # type: ignore[arg-type]
    messages.success(request, _("The account was reactivated."))
    return redirect("core:user_edit", public_id=user.public_id)
