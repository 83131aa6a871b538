"""Views of the casework app, by sub-area. Every one is for the case roles only."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest

from core.models import User
from core.roles import Role, role_required

case_work = role_required(Role.COUNSELLOR, Role.COORDINATOR)
coordinators = role_required(Role.COORDINATOR)


def staff(request: HttpRequest) -> User:
    """The signed-in staff member (the middleware lets nobody else in)."""
    return cast(User, request.user)


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"
