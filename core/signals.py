"""Audit receivers for events that happen inside Django and allauth."""

from __future__ import annotations

from typing import Any

from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver
from django.http import HttpRequest

from core.audit import log_action
from core.models import User


@receiver(auth_signals.user_logged_in)
def audit_login(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    log_action("core.auth.logged_in", actor=user, obj=user)


@receiver(auth_signals.user_logged_out)
def audit_logout(sender: Any, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        log_action("core.auth.logged_out", actor=user, obj=user)


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
