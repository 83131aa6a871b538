"""Finding people and logging visits: the search box, today's list, the visit form."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from casework.access import get_client_for, get_visit_for
from casework.forms import SearchForm, VisitForm, sites_for
from casework.models import Visit
from casework.search import find_clients
from casework.services import StaleEdit, visit_log, visit_log_anonymous, visit_update
from casework.views import case_work, is_htmx, staff
from core.audit import log_action
from core.models import Site
from core.roles import Role

TODAY_PAGE_SIZE = 50


@require_http_methods(["GET", "POST"])
@case_work
def search(request: HttpRequest) -> HttpResponse:
    """One box for code, name, phone or date of birth. A POST, so that nothing typed here
    ends up in a URL, a browser history or an access log."""
    user = staff(request)
    form = SearchForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = find_clients(user, form.cleaned_data["q"])
        log_action(
            "casework.client.searched",
            actor=user,
            details={"by": result.kind, "results": result.count},
        )
    context = {"form": form, "result": result}
    if is_htmx(request) and request.method == "POST":
        return render(request, "casework/partials/search_results.html", context)
    return render(request, "casework/search.html", context)


@require_GET
@case_work
def today(request: HttpRequest) -> HttpResponse:
    """Who was seen today at my sites (at every site, or one chosen, for a coordinator)."""
    user = staff(request)
    sites = list(sites_for(user))
    chosen: Site | None = None
    site_param = request.GET.get("site", "")
    if site_param:
        chosen = next((site for site in sites if str(site.pk) == site_param), None)
    visits = Visit.objects.filter(date=timezone.localdate())
    if chosen is not None:
        visits = visits.filter(site=chosen)
    elif not user.has_role(Role.COORDINATOR):
        visits = visits.filter(site_id__in=user.site_ids)
    visits = (
        visits.filter(client__erased_at__isnull=True)
        # Only the columns the list shows: no notes, no sealed identity fields, no data keys.
        .select_related("client", "site", "counsellor")
        .only(
            "created_at",
            "client__code",
            "site__name",
            "counsellor__display_name",
            "counsellor__email",
        )
        .prefetch_related("topics")
        .order_by("-created_at")
    )
    page = Paginator(visits, TODAY_PAGE_SIZE).get_page(request.GET.get("page"))
    log_action("casework.today.viewed", actor=user, details={"count": len(page.object_list)})
    return render(
        request,
        "casework/today.html",
        {"page": page, "sites": sites, "chosen": chosen, "today": timezone.localdate()},
    )


@require_http_methods(["GET", "POST"])
@case_work
def visit_create(request: HttpRequest, code: str) -> HttpResponse:
    user = staff(request)
    client = get_client_for(user, code)
    form = VisitForm(request.POST or None, user=user, client=client, instance=Visit(client=client))
    if request.method == "POST" and form.is_valid():
        visit_log(visit=form.save(commit=False), topics=form.cleaned_data["topics"], actor=user)
        messages.success(request, _("Visit logged."))
        return redirect("casework:client", client.code)
    return render(
        request, "casework/visit_form.html", {"form": form, "client": client, "creating": True}
    )


@require_http_methods(["GET", "POST"])
@case_work
def visit_quick(request: HttpRequest) -> HttpResponse:
    """A visit of someone who gives no name: the client is created with it, anonymously."""
    user = staff(request)
    form = VisitForm(request.POST or None, user=user, instance=Visit())
    if request.method == "POST" and form.is_valid():
        visit = visit_log_anonymous(
            visit=form.save(commit=False), topics=form.cleaned_data["topics"], actor=user
        )
        messages.success(
            request,
            _("Visit logged for a new anonymous client, %(code)s. Print the card for them.")
            % {"code": visit.client.display_code},
        )
        return redirect("casework:client", visit.client.code)
    return render(
        request, "casework/visit_form.html", {"form": form, "client": None, "creating": True}
    )


@require_http_methods(["GET", "POST"])
@case_work
def visit_edit(request: HttpRequest, visit_id: uuid.UUID) -> HttpResponse:
    user = staff(request)
    visit = get_visit_for(user, visit_id)
    client = visit.client
    form = VisitForm(request.POST or None, user=user, client=client, instance=visit)
    stale: list[str] | None = None
    if request.method == "POST" and form.is_valid():
        try:
            visit_update(
                visit=form.instance,
                expected_version=form.cleaned_data["version"],
                topics=form.cleaned_data["topics"],
                changed=form.changed_field_names(),
                actor=user,
            )
        except StaleEdit:
            saved = get_visit_for(user, visit_id)
            stale = form.fields_differing_from(VisitForm(instance=saved, user=user))
            form = VisitForm(
                form.data_on_version(saved.version), user=user, client=client, instance=saved
            )
        else:
            messages.success(request, _("Visit saved."))
            return redirect("casework:client", client.code)
    if request.method == "GET":
        log_action("casework.visit.viewed", actor=user, obj=visit)
    return render(
        request,
        "casework/visit_form.html",
        {"form": form, "client": client, "visit": visit, "creating": False, "stale": stale},
    )
