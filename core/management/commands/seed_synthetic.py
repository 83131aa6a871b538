"""Fill an empty database with fictional data at scale, for benchmarks (`make bench`).

    manage.py seed_synthetic --scale 0.05             # 5% of the design scale
    manage.py seed_synthetic --clients 1000 --visits 8000 --referrals 1500 --providers 50

The design scale (docs/performance.md) is 100,000 clients, 1,000,000 visits, 200,000 referrals
and 2,000 providers. Every value is sealed as real data is (casework.synthetic says how), rows go
in with bulk inserts, and the command prints counts and the insert rate, never a value.

Synthetic staff cannot log in (no password). The command refuses to run without DEBUG=true,
as seed_demo does, unless `--allow-production` says that this database is a throwaway one.
"""

from __future__ import annotations

import random
import time
from datetime import timedelta
from itertools import accumulate
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm

from casework import synthetic, synthetic_addresses
from casework.models import Client, Reminder
from core.models import Site
from referrals import synthetic as referral_synthetic
from referrals import synthetic_funds

DESIGN_SCALE = {"clients": 100_000, "visits": 1_000_000, "referrals": 200_000, "providers": 2_000}
DESIGN_STAFF = 300
CLIENT_BATCH = 1_000


def scaled(scale: float) -> dict[str, int]:
    """Row counts at `scale` times the design scale (at least one of each)."""
    return {name: max(1, round(count * scale)) for name, count in DESIGN_SCALE.items()}


def is_seeded() -> bool:
    return Site.objects.filter(name__startswith=synthetic.SITE_PREFIX).exists()


class Command(BaseCommand):
    help = "Seed fictional, encrypted data at (a fraction of) the design scale, for benchmarks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            type=float,
            default=None,
            help="Fraction of the design scale (1 = 100k clients, 1M visits, 200k referrals, "
            "2k providers). Explicit counts below take precedence.",
        )
        for name in DESIGN_SCALE:
            parser.add_argument(f"--{name}", type=int, default=None)
        parser.add_argument("--sites", type=int, default=6)
        parser.add_argument("--years", type=int, default=10, help="Visits span this many years.")
        parser.add_argument("--seed", type=int, default=8, help="Seed of the random choices.")
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run with DEBUG off: only against a throwaway database.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "seed_synthetic only runs with DEBUG=true, or with --allow-production against "
                "a throwaway database: it adds 100,000s of fictional people."
            )
        if is_seeded():
            raise CommandError("This database already holds synthetic data; use an empty one.")
        counts = scaled(options["scale"] if options["scale"] is not None else 0.01)
        for name in DESIGN_SCALE:
            if options[name] is not None:
                counts[name] = options[name]
        seed_synthetic(
            counts,
            sites=options["sites"],
            years=options["years"],
            seed=options["seed"],
            progress=not options["no_progress"],
            write=self.stdout.write,
        )


def seed_synthetic(
    counts: dict[str, int],
    *,
    sites: int = 6,
    years: int = 10,
    seed: int = 8,
    progress: bool = True,
    write: Any = print,
) -> None:
    rng = random.Random(seed)  # noqa: S311 (fictional data, not secrets)
    started = time.perf_counter()
    staff = max(sites + 2, round(DESIGN_STAFF * counts["clients"] / DESIGN_SCALE["clients"]))
    today = timezone.localdate()
    first_day = today - timedelta(days=years * 365)
    with transaction.atomic():
        cast = synthetic.seed_sites_and_staff(rng, sites=sites, staff=staff)
        providers = referral_synthetic.seed_providers(rng, counts["providers"])
        funds = synthetic_funds.seed_funds(cast, first_day=first_day)
        addresses = synthetic_addresses.seed_addresses(cast, clients=counts["clients"], years=years)
    slots = sum(len(s) for s in addresses.slots)
    rows = staff + sites + counts["providers"] + len(funds.funds) + len(addresses.addresses) + slots
    provider_weights = list(accumulate(rng.paretovariate(1.2) for _ in providers))
    funds.aim(providers, provider_weights)
    visit_counts = synthetic.share_out(rng, counts["visits"], counts["clients"])
    # Referrals follow visits: people who come often are referred more often.
    referral_counts = [0] * counts["clients"]
    if counts["referrals"]:
        frequent = [n + 0.5 if n else 0.0 for n in visit_counts]
        for index in rng.choices(range(counts["clients"]), frequent, k=counts["referrals"]):
            referral_counts[index] += 1
    code_source = synthetic.unique_codes(rng)
    referrals = 0
    with tqdm(
        total=counts["clients"], desc="clients", unit=" clients", disable=not progress
    ) as bar:
        for offset in range(0, counts["clients"], CLIENT_BATCH):
            end = min(offset + CLIENT_BATCH, counts["clients"])
            with transaction.atomic():
                batch = synthetic.seed_client_batch(
                    rng,
                    cast,
                    visit_counts=visit_counts[offset:end],
                    code_source=code_source,
                    today=today,
                    years=years,
                )
                rows += batch.rows
                rows += referral_synthetic.seed_referral_batch(
                    rng,
                    cast,
                    providers=providers,
                    provider_weights=provider_weights,
                    clients=batch.clients,
                    visits_by_client=batch.visits_by_client,
                    referral_counts=referral_counts[offset:end],
                    funds=funds,
                )
                rows += synthetic_addresses.seed_address_batch(
                    rng, cast, addresses, batch, today=today
                )
            referrals += sum(referral_counts[offset:end])
            bar.update(end - offset)
    with transaction.atomic():
        rows += synthetic_funds.seed_budgets(rng, cast, funds, first_day=first_day)
    if connection.vendor == "postgresql":
        # As autovacuum would leave it after a while: statistics for the planner, and the
        # visibility map that lets index-only scans skip the table (VACUUM cannot run inside a
        # transaction, as in tests).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    seconds = time.perf_counter() - started
    write(
        f"Seeded {Client.objects.count()} clients, {sum(visit_counts)} visits, "
        f"{referrals} referrals, {counts['providers']} providers, {staff} staff at {sites} "
        f"sites over {years} years ({first_day} to {today})."
    )
    write(
        f"Funds: {len(funds.funds)} with yearly budgets, {funds.guarantees} cost guarantees, "
        f"{funds.invoices} invoices. Address service: {len(addresses.addresses)} addresses, "
        f"{slots} slots, {addresses.assignments} assignments ({addresses.current} current), "
        f"{addresses.letters} letters ({addresses.waiting} waiting)."
    )
    reminders = Reminder.objects.get_queryset()
    write(
        f"Reminders: {reminders.count()} follow-ups of visits, {reminders.open().count()} "
        "not yet seen to."
    )
    write(f"{rows} rows in {seconds:.1f} s: {rows / max(seconds, 1e-9):,.0f} rows/s.")
