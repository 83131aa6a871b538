"""Load the fictional demo data that `make run` starts with. DEBUG only, safe to repeat."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from casework.demo import seed_clients_and_visits
from casework.demo_addresses import seed_addresses
from core.demo import seed_sites_and_staff
from referrals.demo import seed_referrals

# One function per app, run in this order; each takes a writer for what it wants to tell the
# person at the terminal, and must be idempotent. Apps append their own section here.
DEMO_SECTIONS: list[Callable[[Callable[[str], None]], None]] = [
    seed_sites_and_staff,
    seed_clients_and_visits,
    seed_referrals,
    seed_addresses,
]


class Command(BaseCommand):
    help = "Create fictional demo sites, accounts and case data (DEBUG only; idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo only runs with DEBUG=true: it creates accounts whose password "
                "and second factor are published."
            )
        with transaction.atomic():
            for section in DEMO_SECTIONS:
                section(self.stdout.write)
