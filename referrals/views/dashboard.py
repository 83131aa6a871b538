"""The coordinators' referral desk."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.roles import Role, role_required
from referrals.dashboard import desk


@require_GET
@role_required(Role.COORDINATOR)
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "referrals/dashboard.html", desk())
