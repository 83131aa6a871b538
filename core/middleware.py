"""Session limits and the MFA requirement, applied to every request."""

from __future__ import annotations

import time
from collections.abc import Callable

from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from core.audit import log_action
from core.crypto import DecryptionError, KeyDestroyed

SESSION_STARTED = "limits_started_at"
SESSION_LAST_SEEN = "limits_last_seen"
SESSION_MFA_ENROLLED = "mfa_enrolled"
# Refresh the idle clock at most this often, so that not every request writes the session.
_LAST_SEEN_GRANULARITY = 30


def start_session_clocks(request: HttpRequest) -> None:
    """Called at log-in: the absolute lifetime counts from here, not from the first page."""
    now = time.time()
    request.session[SESSION_STARTED] = now
    request.session[SESSION_LAST_SEEN] = now


class SessionLimitsMiddleware:
    """End sessions that were idle too long or have lived past their absolute lifetime."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            started = request.session.setdefault(SESSION_STARTED, now)
            last_seen = request.session.setdefault(SESSION_LAST_SEEN, now)
            if now - last_seen > settings.SESSION_IDLE_TIMEOUT.total_seconds():
                self._end(request, "idle")
            elif now - started > settings.SESSION_ABSOLUTE_LIFETIME.total_seconds():
                self._end(request, "lifetime")
            elif now - last_seen > _LAST_SEEN_GRANULARITY:
                request.session[SESSION_LAST_SEEN] = now
        return self.get_response(request)

    @staticmethod
    def _end(request: HttpRequest, reason: str) -> None:
        log_action(
            "core.auth.session_expired",
            actor=request.user,  # type: ignore[arg-type]
            obj=request.user,  # type: ignore[arg-type]
            details={"reason": reason},
        )
        # logout() deletes the session row; the visitor continues as anonymous and the
        # login-required middleware sends them to the log-in page, keeping `next`.
        logout(request)
        messages.info(request, _("Your session has ended. Please log in again."))


# Where a signed-in account without a second factor may still go: enrolment and what it
# needs (allauth asks for the password again before adding a factor), and log-out.
MFA_ENROLMENT_URL_NAMES = (
    "mfa_index",
    "mfa_activate_totp",
    "mfa_add_webauthn",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
    "account_reauthenticate",
    "account_logout",
    "set_language",
)


class MfaRequiredMiddleware:
    """Send every signed-in account without an authenticator to enrolment, and nowhere else.

    Once an account is enrolled the session remembers it, so enrolled users cost no query.
    Staff cannot remove their last authenticator (see core.adapters), so the flag stays true.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._allowed_paths: frozenset[str] | None = None

    def allowed_paths(self) -> frozenset[str]:
        if self._allowed_paths is None:
            self._allowed_paths = frozenset(reverse(name) for name in MFA_ENROLMENT_URL_NAMES)
        return self._allowed_paths

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not request.session.get(SESSION_MFA_ENROLLED):
            enrolled = get_mfa_adapter().is_mfa_enabled(
                user, types=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
            )
            if enrolled:
                request.session[SESSION_MFA_ENROLLED] = True
            elif not (
                request.path in self.allowed_paths() or request.path.startswith(settings.STATIC_URL)
            ):
                return HttpResponseRedirect(reverse("mfa_index"))
        return self.get_response(request)


class DecryptionErrorMiddleware:
    """Turn a failed decryption into a plain error page, never ciphertext or a blank field.

    The field layer has already logged which row and field failed (without the value).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, KeyDestroyed):
            return render(request, "errors/erased.html", status=410)
        if isinstance(exception, DecryptionError):
            return render(request, "errors/decryption.html", status=500)
        return None


# Scripts and styles only from our own origin: no inline script, no eval, no CDN.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
)


class SecurityHeadersMiddleware:
    """Headers Django does not set itself: CSP, permissions policy, and no caching of pages
    for signed-in staff (every such page may show a person)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response.headers["Cache-Control"] = "no-store"
        return response


class UserLanguageMiddleware:
    """Use the signed-in person's chosen language, wherever they log in from."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        language = getattr(user, "language", "") if user.is_authenticated else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
