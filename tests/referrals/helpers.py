"""Small assertions shared by the referrals tests."""

from __future__ import annotations

from django.http import HttpResponse

from core.models import AuditEntry


def assert_login_redirect(response: HttpResponse) -> None:
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def audit_entries(action: str, ref: object | None = None) -> list[AuditEntry]:
    entries = AuditEntry.objects.filter(action=action)
    if ref is not None:
        entries = entries.filter(object_ref=str(ref))
    return list(entries)
