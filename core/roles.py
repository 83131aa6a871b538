"""The four roles, held as Django groups, and the checks views use."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from allauth.account.decorators import reauthentication_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from core.models import User


class Role(StrEnum):
    COUNSELLOR = "counsellor"
    COORDINATOR = "coordinator"
    REPORTING = "reporting"
    ADMINISTRATOR = "administrator"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.COUNSELLOR: _("Counsellor"),
    Role.COORDINATOR: _("Coordinator"),
    Role.REPORTING: _("Reporting"),
    Role.ADMINISTRATOR: _("Administrator"),
}
# For form and model choices built at import time: the labels stay lazy, so each page shows
# them in its reader's language (Role.label is already a plain string in the current one).
ROLE_CHOICES = [(role.value, ROLE_LABELS[role]) for role in Role]

# Roles that may see case data (a person). The administrator role alone does not.
CASE_ROLES = frozenset({Role.COUNSELLOR, Role.COORDINATOR})

P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponse)


def role_required(
    *roles: Role,
) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """Allow the view to users holding any of `roles`; others get 403.

    Login itself is enforced by the middleware, so an anonymous visitor never gets here.
    """

    def decorator(view: Callable[..., R]) -> Callable[..., R]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> R:
            user: User = request.user  # type: ignore[assignment]
            if not user.has_any_role(*roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.required_roles = frozenset(roles)  # type: ignore[attr-defined]
        return wrapper

    return decorator


def sudo_required(view: Callable[..., R]) -> Callable[..., R]:
    """ "Sudo mode" for sensitive actions — managing staff, erasing or merging people.

    The page itself opens normally; submitting it needs a password or passkey check within
    the last few minutes (allauth's re-authentication, ACCOUNT_REAUTHENTICATION_TIMEOUT).
    Put it below `role_required`, so that the wrong role gets 403 before being asked.
    """
    wrapped: Callable[..., R] = reauthentication_required(view, allow_get=True)
    wrapped.sudo_required = True  # type: ignore[attr-defined]
    return wrapped
