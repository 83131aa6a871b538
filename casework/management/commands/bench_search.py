"""How fast is finding a client among many? Seeds N fake clients, times the search box.

    manage.py bench_search --clients 100000

Everything happens inside one transaction that is rolled back at the end, so the database is
left as it was. The clients are fictional and are never printed; the command prints timings.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction

from casework import codes
from casework.models import Client, ClientSite
from casework.search import find_clients
from core.models import DataKey, Site, User
from core.roles import Role

_FIRST = [f"Bench{n}" for n in range(300)]
_LAST = [f"Person{n}" for n in range(300)]
BATCH = 2_000


class Rollback(Exception):
    """Raised to leave the benchmark transaction without a trace."""


def _unique_codes(count: int, rng: random.Random) -> Iterator[str]:
    taken = set(Client.objects.exclude(code=None).values_list("code", flat=True))
    while count:
        body = "".join(rng.choice(codes.ALPHABET) for _ in range(codes.BODY_LENGTH))
        code = body + codes.check_character(body)
        if code not in taken:
            taken.add(code)
            count -= 1
            yield code


def _timings(samples: list[str], run: Callable[[str], Any]) -> tuple[float, float]:
    """Median and 95th percentile, in milliseconds."""
    durations = []
    for sample in samples:
        started = time.perf_counter()
        run(sample)
        durations.append((time.perf_counter() - started) * 1000)
    durations.sort()
    return statistics.median(durations), durations[int(len(durations) * 0.95) - 1]


class Command(BaseCommand):
    help = "Seed N fictional clients (rolled back afterwards) and time search by code and name."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clients", type=int, default=100_000)
        parser.add_argument("--searches", type=int, default=200)
        parser.add_argument("--seed", type=int, default=4)

    def handle(self, *args: Any, clients: int, searches: int, seed: int, **options: Any) -> None:
        rng = random.Random(seed)  # noqa: S311 (fake data, not secrets)
        try:
            with transaction.atomic():
                self._run(clients, searches, rng)
                raise Rollback
        except Rollback:
            self.stdout.write("Rolled back: the database is as it was.")

    def _run(self, count: int, searches: int, rng: random.Random) -> None:
        site = Site.objects.create(name=f"Benchmark site {rng.random()}")
        counsellor = User.objects.create_user(f"bench-{rng.random()}@example.invalid")
        counsellor.groups.add(Group.objects.get(name=Role.COUNSELLOR.value))
        counsellor.sites.add(site)

        started = time.perf_counter()
        names: list[str] = []
        made: list[str] = []
        code_source = _unique_codes(count, rng)
        for offset in range(0, count, BATCH):
            size = min(BATCH, count - offset)
            keys = []
            for _ in range(size):
                key = DataKey()
                key._set_plain(rng.randbytes(32))
                keys.append(key)
            DataKey.objects.bulk_create(keys)
            batch = []
            for key in keys:
                name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
                batch.append(
                    Client(
                        code=next(code_source),
                        data_key=key,
                        pseudonym="Bench",
                        name=name,
                        phone=f"+41 79 {rng.randrange(10**7):07d}",
                        registered_site=site,
                    )
                )
                names.append(name)
            Client.objects.bulk_create(batch)
            ClientSite.objects.bulk_create(
                [ClientSite(client=client, site=site) for client in batch]
            )
            made.extend(client.code for client in batch if client.code)
        seeded = time.perf_counter() - started
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE casework_client; ANALYZE casework_clientsite")

        total = Client.objects.count()
        by_code = _timings(rng.sample(made, searches), lambda q: find_clients(counsellor, q))
        typos = [code[:2] + ("2" if code[2] != "2" else "3") + code[3:] for code in made]
        by_typo = _timings(rng.sample(typos, searches), lambda q: find_clients(counsellor, q))
        by_name = _timings(rng.sample(names, searches), lambda q: find_clients(counsellor, q))

        self.stdout.write(
            f"{connection.vendor}: {total} clients ({count} seeded in {seeded:.1f} s), "
            f"{searches} searches each, as a counsellor of the site"
        )
        for label, (median, p95) in (
            ("code", by_code),
            ("code with a typo", by_typo),
            ("exact name", by_name),
        ):
            self.stdout.write(
                f"  search by {label:<17} median {median:6.2f} ms   p95 {p95:6.2f} ms"
            )
