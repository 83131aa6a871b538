"""Client pages: register, the timeline, edit, the card, the person's own record, needs."""

from __future__ import annotations

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from casework import timeline
from casework.access import clients_visible_to, get_client_for
from casework.duplicates import possible_duplicates
from casework.forms import ClientForm, NeedsForm, default_site_for
from casework.models import Client, NeedsAssessment
from casework.services import StaleEdit, client_register, client_update, needs_assess
from casework.views import case_work, staff
from core.audit import log_action
from core.models import Site, User

TIMELINE_PAGE_SIZE = 20


@require_http_methods(["GET", "POST"])
@case_work
def client_create(request: HttpRequest) -> HttpResponse:
    user = staff(request)
    form = ClientForm(request.POST or None, user=user)
    duplicates: list[Client] = []
    hidden_duplicates = 0
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not request.POST.get("save_anyway"):
            found = possible_duplicates(
                name=data.get("name") or "",
                date_of_birth=data.get("date_of_birth"),
                phone=data.get("phone") or "",
            )
            if found:
                visible = set(
                    clients_visible_to(user)
                    .filter(pk__in=[c.pk for c in found])
                    .values_list("pk", flat=True)
                )
                duplicates = [client for client in found if client.pk in visible]
                hidden_duplicates = len(found) - len(duplicates)
                log_action(
                    "casework.client.duplicate_warned",
                    actor=user,
                    details={"matches": [str(c.pk) for c in found], "shown": len(duplicates)},
                )
        if not duplicates and not hidden_duplicates:
            client = client_register(
                client=form.save(commit=False),
                languages=data["languages"],
                site=data["registered_site"],
                actor=user,
            )
            messages.success(
                request,
                _("Client %(code)s registered. Print the card for them.")
                % {"code": client.display_code},
            )
            return redirect("casework:client", client.code)
    return render(
        request,
        "casework/client_form.html",
        {
            "form": form,
            "creating": True,
            "duplicates": duplicates,
            "hidden_duplicates": hidden_duplicates,
        },
    )


@require_GET
@case_work
def client_detail(request: HttpRequest, code: str) -> HttpResponse:
    """The client's page: who, and everything that happened, newest first."""
    user = staff(request)
    client = get_client_for(user, code)
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    entries, has_older = timeline.page(client, number=number, size=TIMELINE_PAGE_SIZE)
    log_action("casework.client.viewed", actor=user, obj=client, details={"page": number})
    return render(
        request,
        "casework/client_detail.html",
        {
            "client": client,
            "client_languages": list(client.languages.all()),
            "entries": entries,
            "page_number": number,
            "has_older": has_older,
        },
    )


@require_http_methods(["GET", "POST"])
@case_work
def client_edit(request: HttpRequest, code: str) -> HttpResponse:
    user = staff(request)
    client = get_client_for(user, code)
    form = ClientForm(request.POST or None, instance=client, user=user)
    stale: list[str] | None = None
    if request.method == "POST" and form.is_valid():
        try:
            client_update(
                client=form.instance,
                expected_version=form.cleaned_data["version"],
                languages=form.cleaned_data["languages"],
                changed=form.changed_field_names(),
                actor=user,
            )
        except StaleEdit:
            saved = Client.objects.select_related("data_key").get(pk=client.pk)
            form, stale = _keep_input(form, saved, user)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("casework:client", client.code)
    return render(
        request,
        "casework/client_form.html",
        {"form": form, "client": client, "creating": False, "stale": stale},
    )


def _keep_input(form: ClientForm, saved: Client, user: User) -> tuple[ClientForm, list[str]]:
    """The user's input again, now on top of the saved version, and what differs from it."""
    differing = form.fields_differing_from(ClientForm(instance=saved, user=user))
    return ClientForm(form.data_on_version(saved.version), instance=saved, user=user), differing


def qr_svg(text: str) -> str:
    """An inline SVG QR code of `text` (a client code: nothing personal)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    svg: str = image.to_string(encoding="unicode")
    return svg


def _card_site(user: User, client: Client) -> Site | None:
    if client.registered_site_id in user.site_ids:
        return client.registered_site
    return default_site_for(user, client)


@require_GET
@case_work
def client_card(request: HttpRequest, code: str) -> HttpResponse:
    """The card the person carries: the code, its QR code, the drop-in hours. Nothing else."""
    user = staff(request)
    client = get_client_for(user, code)
    log_action("casework.client.card_printed", actor=user, obj=client)
    return render(
        request,
        "casework/client_card.html",
        {"client": client, "qr": qr_svg(client.display_code), "site": _card_site(user, client)},
    )


@require_GET
@case_work
def client_record(request: HttpRequest, code: str) -> HttpResponse:
    """Everything held about the person, printed for them: their right of access."""
    user = staff(request)
    client = get_client_for(user, code)
    log_action("casework.client.record_printed", actor=user, obj=client)
    return render(
        request,
        "casework/client_record.html",
        {
            "client": client,
            "client_languages": list(client.languages.all()),
            "entries": timeline.entries(client),
        },
    )


@require_http_methods(["GET", "POST"])
@case_work
def needs_assess_view(request: HttpRequest, code: str) -> HttpResponse:
    """Assess (or re-assess) needs: a new dated row, starting from the latest one."""
    user = staff(request)
    client = get_client_for(user, code)
    latest = client.needs_assessments.order_by("-assessed_on", "-created_at").first()
    initial = {}
    if latest is not None:
        latest.client = client
        initial = {
            "housing": latest.housing,
            "health_coverage": latest.health_coverage,
            "income": latest.income,
            "urgent_needs": latest.urgent_needs,
            "notes": latest.notes,
        }
    site = default_site_for(user, client)
    form = NeedsForm(
        request.POST or None,
        initial=initial,
        instance=NeedsAssessment(client=client, site=site),
    )
    if request.method == "POST" and form.is_valid():
        needs_assess(assessment=form.save(commit=False), actor=user)
        messages.success(request, _("Needs assessment saved."))
        return redirect("casework:client", client.code)
    return render(
        request,
        "casework/needs_form.html",
        {"form": form, "client": client, "latest": latest},
    )
