"""Merging a duplicate client into another: coordinators only, with a confirmation step."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from casework.access import get_client_for
from casework.forms import MergeForm
from casework.merge import MergeError, client_merge
from casework.views import coordinators, staff
from core.audit import log_action
from core.roles import sudo_required


@require_http_methods(["GET", "POST"])
@coordinators
@sudo_required
def client_merge_view(request: HttpRequest, code: str) -> HttpResponse:
    """Step 1 names the client to keep; step 2 shows both side by side; step 3 merges."""
    user = staff(request)
    duplicate = get_client_for(user, code)
    form = MergeForm(request.POST or None)
    survivor = None
    if request.method == "POST" and form.is_valid():
        try:
            survivor = get_client_for(user, form.cleaned_data["survivor_code"])
        except Http404:
            form.add_error("survivor_code", _("There is no client with this code."))
        else:
            if survivor.pk == duplicate.pk:
                form.add_error("survivor_code", _("Name another client, not this one."))
                survivor = None
    if survivor is not None and request.POST.get("confirm"):
        try:
            client_merge(duplicate=duplicate, survivor=survivor, actor=user)
        except MergeError:
            messages.error(request, _("These two clients can no longer be merged."))
            return redirect("casework:client", duplicate.code)
        messages.success(
            request,
            _("%(duplicate)s was merged into %(survivor)s. Its card now leads here.")
            % {"duplicate": duplicate.display_code, "survivor": survivor.display_code},
        )
        return redirect("casework:client", survivor.code)
    if survivor is not None:
        log_action(
            "casework.client.merge_previewed",
            actor=user,
            obj=duplicate,
            details={"survivor": str(survivor.pk)},
        )
    return render(
        request,
        "casework/client_merge.html",
        {
            "form": form,
            "duplicate": duplicate,
            "survivor": survivor,
            "duplicate_visits": duplicate.visits.count(),
            "survivor_visits": survivor.visits.count() if survivor is not None else 0,
        },
    )
