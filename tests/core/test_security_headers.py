import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_public_pages_carry_a_strict_content_security_policy(anonymous_client):
    response = anonymous_client.get(reverse("account_login"))

    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]


@pytest.mark.django_db
def test_pages_for_signed_in_staff_are_never_cached(counsellor_a_client):
    response = counsellor_a_client.get(reverse("home"))

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
