"""The provider directory: counsellors read it, coordinators keep it."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.audit import log_action
from core.models import User
from core.roles import Role, role_required
from referrals import directory, services
from referrals.access import get_provider
from referrals.forms.providers import DirectoryImportForm, ProviderFilterForm, ProviderForm
from referrals.models import Provider

PAGE_SIZE = 25


@require_GET
@role_required(Role.COUNSELLOR, Role.COORDINATOR)
def provider_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = ProviderFilterForm(request.GET or None)
    providers = form.filter(Provider.objects.for_listing())
    page = Paginator(providers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "referrals/provider_list.html",
        {"form": form, "page": page, "may_edit": user.has_role(Role.COORDINATOR)},
    )


@require_GET
@role_required(Role.COUNSELLOR, Role.COORDINATOR)
def provider_detail(request: HttpRequest, provider_id: uuid.UUID) -> HttpResponse:
    provider = get_provider(provider_id)
    user: User = request.user  # type: ignore[assignment]
    return render(
        request,
        "referrals/provider_detail.html",
        {"provider": provider, "may_edit": user.has_role(Role.COORDINATOR)},
    )


def _save(request: HttpRequest, provider: Provider) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = ProviderForm(request.POST or None, instance=provider)
    if request.method == "POST" and form.is_valid():
        creating = provider._state.adding
        provider = services.provider_save(
            actor=user,
            provider=form.save(commit=False),
            specialities=form.cleaned_data["specialities_text"],
            languages=list(form.cleaned_data["languages"]),
            acceptances=form.cleaned_data["acceptances"],
            changed=form.changed_data,
        )
        messages.success(request, _("Provider added.") if creating else _("Provider saved."))
        return redirect("referrals:provider_detail", provider_id=provider.id)
    return render(request, "referrals/provider_form.html", {"form": form, "provider": provider})


@require_http_methods(["GET", "POST"])
@role_required(Role.COORDINATOR)
def provider_create(request: HttpRequest) -> HttpResponse:
    return _save(request, Provider())


@require_http_methods(["GET", "POST"])
@role_required(Role.COORDINATOR)
def provider_edit(request: HttpRequest, provider_id: uuid.UUID) -> HttpResponse:
    return _save(request, get_provider(provider_id))


@require_GET
@role_required(Role.COORDINATOR)
def directory_export(request: HttpRequest) -> HttpResponse:
    providers = list(Provider.objects.for_listing())
    log_action(
        "referrals.directory.exported",
        actor=request.user,  # type: ignore[arg-type]
        object_type="referrals.provider",
        details={"count": len(providers)},
    )
    response = HttpResponse(
        # A byte-order mark, so that spreadsheet programs read the file as UTF-8.
        "\ufeff" + directory.export_csv(providers),
        content_type="text/csv; charset=utf-8",
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="providers-{stamp}.csv"'
    return response


@require_http_methods(["GET", "POST"])
@role_required(Role.COORDINATOR)
def directory_import(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = DirectoryImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = services.directory_import(actor=user, data=form.cleaned_data["file"].read())
        if report.ok:
            messages.success(
                request,
                _("Import done: %(created)s added, %(updated)s changed, %(unchanged)s unchanged.")
                % {
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                },
            )
            return redirect("referrals:provider_list")
    return render(request, "referrals/directory_import.html", {"form": form, "report": report})
