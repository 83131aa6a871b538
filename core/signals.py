"""Audit receivers for events that happen inside Django and allauth."""

from __future__ import annotations

from typing import Any

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals
from django.contrib.sessions.models import Session
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from core.audit import log_action
from core.middleware import start_session_clocks
from core.models import User, UserSession


@receiver(auth_signals.user_logged_in)
def audit_login(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    log_action("core.auth.logged_in", actor=user, obj=user)


@receiver(auth_signals.user_logged_in)
def record_session(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    """Remember whose session this is (so deactivation can end it) and start its clocks."""
    start_session_clocks(request)
    session_key = request.session.session_key
    if session_key is None:
        request.session.save()
        session_key = request.session.session_key
    UserSession.objects.update_or_create(session_key=session_key, defaults={"user": user})
    # Sessions that expired on their own leave records behind; tidy this user's.
    UserSession.objects.filter(user=user).exclude(
        session_key__in=Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    ).delete()


@receiver(auth_signals.user_logged_out)
def audit_logout(sender: Any, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        log_action("core.auth.logged_out", actor=user, obj=user)
        UserSession.objects.filter(session_key=request.session.session_key).delete()


@receiver(auth_signals.user_login_failed)
def audit_login_failed(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    # The attempted e-mail is not recorded: it may be a typo or someone else's address.
    log_action("core.auth.login_failed", actor=None)


@receiver(mfa_signals.authenticator_added)
def audit_authenticator_added(
    sender: Any, request: HttpRequest, user: User, authenticator: Any, **kwargs: Any
) -> None:
    log_action("core.mfa.added", actor=user, obj=user, details={"type": authenticator.type})


@receiver(mfa_signals.authenticator_removed)
def audit_authenticator_removed(
    sender: Any, request: HttpRequest, user: User, authenticator: Any, **kwargs: Any
) -> None:
    log_action("core.mfa.removed", actor=user, obj=user, details={"type": authenticator.type})


@receiver(mfa_signals.authenticator_reset)
def audit_authenticator_reset(
    sender: Any, request: HttpRequest, user: User, authenticator: Any, **kwargs: Any
) -> None:
    log_action("core.mfa.reset", actor=user, obj=user, details={"type": authenticator.type})


@receiver(mfa_signals.authentication_failed)
def audit_mfa_failed(
    sender: Any, request: HttpRequest, user: User, authenticator: Any, **kwargs: Any
) -> None:
    # A wrong code after a right password: worth seeing when someone else knows a password.
    log_action(
        "core.mfa.failed",
        actor=None,
        obj=user,
        details={
            "type": authenticator.type,
            "reauthentication": bool(kwargs.get("reauthentication")),
        },
    )


@receiver(account_signals.password_changed)
def audit_password_changed(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    log_action("core.auth.password_changed", actor=user, obj=user)


@receiver(account_signals.password_reset)
def audit_password_reset(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    log_action("core.auth.password_reset", actor=None, obj=user)
