"""Demo sites and staff accounts for `manage.py seed_demo` (DEBUG only).

Everything here is fictional and public: the password and the TOTP secret are printed and
committed, which is why seed_demo and demo_totp refuse to run outside DEBUG.
"""

from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from allauth.mfa.utils import decrypt
from django.contrib.auth.models import Group

from core.models import Site, User
from core.roles import Role

DEMO_EMAIL_DOMAIN = "demo.invalid"
DEMO_PASSWORD = "casework-demo"  # noqa: S105 (published demo password; demo needs DEBUG)
# A fixed secret so that a demo can be scripted and re-seeded without re-enrolling a phone.
DEMO_TOTP_SECRET = "CASEWORKDEMOTOTPSECRETNOTFORREAL"  # noqa: S105 (published, demo only)

DEMO_SITES = {
    "Demo drop-in Central": "Example Street 1, Demo City (fictional)",
    "Demo drop-in Station": "Sample Square 2, Demo City (fictional)",
    "Demo health clinic": "Placeholder Lane 3, Demo City (fictional)",
}

# (local part of the e-mail, display name, role, sites of a counsellor)
DEMO_ACCOUNTS = [
    ("counsellor", "Demo Counsellor", Role.COUNSELLOR, ["Demo drop-in Central"]),
    ("coordinator", "Demo Coordinator", Role.COORDINATOR, []),
    ("reporting", "Demo Reporting", Role.REPORTING, []),
    ("admin", "Demo Administrator", Role.ADMINISTRATOR, []),
]


def is_demo_email(email: str) -> bool:
    return email.lower().endswith("@" + DEMO_EMAIL_DOMAIN)


def demo_email(local_part: str) -> str:
    return f"{local_part}@{DEMO_EMAIL_DOMAIN}"


def seed_sites_and_staff(write: Callable[[str], None]) -> None:
    """Create (or reset) the demo sites and one account per role, each with TOTP enrolled."""
    for name, address in DEMO_SITES.items():
        Site.objects.update_or_create(
            name=name,
            defaults={
                "address": address,
                "opening_hours": "Mon, Wed, Fri 14:00-18:00",
                "is_active": True,
            },
        )
    for local_part, display_name, role, site_names in DEMO_ACCOUNTS:
        user, _ = User.objects.update_or_create(
            email=demo_email(local_part),
            defaults={
                "display_name": display_name,
                "is_active": True,
                "is_staff": role == Role.ADMINISTRATOR,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        user.groups.set([Group.objects.get(name=role.value)])
        user.sites.set(Site.objects.filter(name__in=site_names))
        _enrol_demo_totp(user)

    write("Demo accounts (fictional; every one has the same password and TOTP secret):")
    for local_part, _, role, site_names in DEMO_ACCOUNTS:
        where = f" at {', '.join(site_names)}" if site_names else ""
        write(f"  {demo_email(local_part):<28} {role.label}{where}")
    write(f"  password:    {DEMO_PASSWORD}")
    write(f"  TOTP secret: {DEMO_TOTP_SECRET}  (add it to an authenticator app)")
    write("  or print the current 6-digit code with")
    write(f"    DEBUG=true .venv/bin/python manage.py demo_totp {demo_email('counsellor')}")


def _enrol_demo_totp(user: User) -> None:
    """Leave `user` with exactly one TOTP authenticator, holding the demo secret."""
    existing = list(Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP))
    if len(existing) == 1 and decrypt(existing[0].data["secret"]) == DEMO_TOTP_SECRET:
        return
    for authenticator in existing:
        authenticator.delete()
    # activate() stores the secret through the MFA adapter's encrypt().
    TOTP.activate(user, DEMO_TOTP_SECRET)
