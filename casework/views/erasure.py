"""Erasing a person on their request: coordinators, in sudo mode, after typing the code."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from casework import codes
from casework.access import get_client_for
from casework.erasure import ErasureReason, client_erase
from casework.models import Client
from casework.views import coordinators, staff
from core.roles import sudo_required


class EraseForm(forms.Form):
    confirm_code = forms.CharField(
        label=gettext_lazy("Type the client code to confirm"), max_length=12
    )

    def __init__(self, *args: object, client: Client, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.client = client

    def clean_confirm_code(self) -> str:
        typed = codes.compact(self.cleaned_data["confirm_code"])
        if typed != self.client.code:
            raise forms.ValidationError(_("This is not the code of the client you are erasing."))
        return typed


@require_http_methods(["GET", "POST"])
@coordinators
@sudo_required
def client_erase_view(request: HttpRequest, code: str) -> HttpResponse:
    user = staff(request)
    client = get_client_for(user, code)
    form = EraseForm(request.POST or None, client=client)
    if request.method == "POST" and form.is_valid():
        display_code = client.display_code
        client_erase(client=client, actor=user, reason=ErasureReason.REQUEST)
        messages.success(
            request,
            _("The personal data of client %(code)s has been erased.") % {"code": display_code},
        )
        return redirect("casework:search")
    return render(request, "casework/client_erase.html", {"client": client, "form": form})
