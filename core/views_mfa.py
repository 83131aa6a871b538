"""Guards around allauth's MFA views that its adapter hooks do not reach."""

from __future__ import annotations

from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.webauthn import views as webauthn_views
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods


@require_http_methods(["GET", "POST"])
def remove_webauthn(request: HttpRequest, pk: int) -> HttpResponse:
    """allauth removes a security key without asking the adapter; we ask it first.

    Without this, staff could remove their only security key and be left without MFA.
    """
    adapter = get_mfa_adapter()
    authenticator = Authenticator.objects.filter(
        pk=pk, user_id=request.user.pk, type=Authenticator.Type.WEBAUTHN
    ).first()
    if authenticator is not None and not adapter.can_delete_authenticator(authenticator):
        messages.error(request, str(adapter.error_messages["cannot_delete_authenticator"]))
        return redirect("mfa_list_webauthn")
    return webauthn_views.remove_webauthn(request, pk=pk)
