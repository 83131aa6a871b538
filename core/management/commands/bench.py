"""Measure the app at (a fraction of) the design scale: `make bench` runs this.

    manage.py bench --scale 0.05 --allow-production

Seeds the database with `seed_synthetic` unless it already holds synthetic data at that scale,
then measures in one run: search, today's list, the timeline, the visit form, the mail desk and
a letter logged there by slot number, the coordinators' desk, the provider search and a monthly
report (live and from its snapshot), each with median and 95th percentile server time, query
count, page time over its own SQL time and the share spent decrypting; the report against a
bare GROUP BY; and counsellor pages through gunicorn under load. It prints a table and writes
the figures as JSON. Timings never fail the run (the machine is noisy); an error does: an HTTP
status other than the one expected, or an exception.

Nothing personal is printed: the figures are timings and counts.
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import platform
import pstats
import random
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import psycopg
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.models import Count, Model
from django.test import Client as TestClient
from django.urls import reverse
from django.utils import timezone
from psycopg import sql

from casework.models import Client, Reminder, Topic, Visit
from casework.models.addresses import MailItem, SlotAssignment
from casework.synthetic import SYNTHETIC_DOMAIN
from core.benchmark import LoadResult, Measured, Probe, host, load_test
from core.management.commands.seed_synthetic import is_seeded, scaled, seed_synthetic
from core.models import Site, User
from core.roles import Role
from referrals.synthetic import SPECIALITIES
from reporting.models import MonthlySnapshot
from reporting.periods import ReportPeriod
from reporting.queries import visits_in
from reporting.report import build_report
from reporting.snapshots import store_snapshot

TARGETS = {
    "desk p95 ms": 100,
    "page over its SQL": 3.0,
    "decrypt share": 0.2,
    "report live ms": 1000,
    "report snapshot ms": 50,
}
DESK_PAGES = ("search by code", "search by name", "today's list", "client timeline", "visit POST")


class Command(BaseCommand):
    help = "Seed (if needed) and measure pages, ratios and throughput; print a table and JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=float, default=0.05)
        parser.add_argument("--samples", type=int, default=40, help="Requests per page.")
        parser.add_argument("--report-samples", type=int, default=5)
        parser.add_argument("--load-seconds", type=int, default=20, help="0: no load test.")
        parser.add_argument("--load-connections", type=int, default=8)
        parser.add_argument("--workers", type=int, default=3, help="gunicorn workers.")
        parser.add_argument("--json", default="var/bench.json", help="Where to write figures.")
        parser.add_argument("--seed", type=int, default=8)
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument(
            "--profile",
            action="append",
            default=[],
            metavar="PAGE",
            help="After measuring, run this page's requests again under cProfile and print "
            "where the time goes (repeatable; a page's name as in the table).",
        )
        parser.add_argument(
            "--create-database",
            action="store_true",
            help="Create the PostgreSQL database if it is missing, then migrate it.",
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run with DEBUG off (as make bench does): only against a throwaway database.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "bench seeds fictional people: it runs with DEBUG=true, or with "
                "--allow-production against a throwaway database (make bench does)."
            )
        if options["create_database"]:
            self._create_database()
        self.rng = random.Random(options["seed"])  # noqa: S311 (sampling, not secrets)
        counts = scaled(options["scale"])
        self._ensure_seeded(counts, options)
        self.samples: int = options["samples"]
        self.profile: set[str] = set(options["profile"])
        started = time.perf_counter()
        probe = Probe()
        with probe.installed():
            pages = self._measure_pages(probe, options["report_samples"])
            report_vs_sql = self._report_vs_group_by(options["report_samples"])
        load = LoadResult(skipped="--load-seconds 0")
        if options["load_seconds"] > 0:
            load = load_test(
                paths=self._load_paths(),
                cookie=self._cookie(self.counsellor),
                seconds=options["load_seconds"],
                connections=options["load_connections"],
                workers=options["workers"],
            )
        figures = {
            "machine": _machine(),
            "scale": options["scale"],
            "rows": _row_counts(),
            "pages": [page.as_dict() for page in pages],
            "report_vs_group_by": report_vs_sql,
            "load": load.as_dict(),
            "targets": TARGETS,
            "seconds": round(time.perf_counter() - started, 1),
        }
        self._print(figures)
        path = Path(options["json"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(figures, indent=2) + "\n")
        self.stdout.write(f"Figures written to {path}.")
        errors = sum(page.errors for page in pages) + load.errors
        if errors:
            raise CommandError(f"{errors} request(s) failed: see the errors column.")

    # Data and personas.

    def _create_database(self) -> None:
        if connection.vendor == "postgresql":
            params = connection.get_connection_params()
            name = params.pop("dbname")
            params["dbname"] = "postgres"
            with psycopg.connect(**params, autocommit=True) as admin:
                exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
                if exists.fetchone() is None:
                    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                    self.stdout.write(f"Created the database {name}.")
        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)

    def _ensure_seeded(self, counts: dict[str, int], options: dict[str, Any]) -> None:
        if is_seeded():
            seeded = Client.objects.count()
            if seeded != counts["clients"]:
                raise CommandError(
                    f"This database holds synthetic data at another scale ({seeded} clients, "
                    f"not {counts['clients']}); use a fresh database for this scale."
                )
            self.stdout.write(f"Reusing the synthetic data already here ({seeded} clients).")
        elif Client.objects.exists():
            raise CommandError("This database holds other data; bench needs an empty one.")
        else:
            progress = not options["no_progress"]
            seed_synthetic(counts, seed=options["seed"], progress=progress, write=self.stdout.write)
        staff = User.objects.filter(email__endswith=f"@{SYNTHETIC_DOMAIN}").order_by("pk")
        self.counsellor = _with_mfa(
            staff.filter(groups__name=Role.COUNSELLOR.value, sites__isnull=False)
            .order_by("sites__name", "pk")
            .first()
        )
        self.coordinator = _with_mfa(staff.filter(groups__name=Role.COORDINATOR.value).first())
        self.reporting = _with_mfa(staff.filter(groups__name=Role.REPORTING.value).first())

    def _client_for(self, user: User) -> TestClient:
        client = TestClient(HTTP_HOST=host())
        client.force_login(user)
        return client

    def _cookie(self, user: User) -> str:
        name = settings.SESSION_COOKIE_NAME
        return f"{name}={self._client_for(user).cookies[name].value}"

    def _visible_clients(self, count: int) -> list[Client]:
        """Clients of the counsellor's site, drawn at random, with their keys at hand."""
        site = self.counsellor.sites.first()
        ids = list(
            Client.objects.filter(site_links__site=site, erased_at__isnull=True)
            .order_by("?")
            .values_list("pk", flat=True)[: count * 4]
        )
        return list(Client.objects.filter(pk__in=ids).select_related("data_key"))

    def _load_paths(self) -> list[str]:
        clients = self._visible_clients(20)
        return [
            reverse("casework:today"),
            *(reverse("casework:client", args=[c.code]) for c in clients[:20]),
            reverse("referrals:provider_list") + "?q=cardiology",
        ]

    # Measurements.

    def _measure_pages(self, probe: Probe, report_samples: int) -> list[Measured]:
        counsellor = self._client_for(self.counsellor)
        coordinator = self._client_for(self.coordinator)
        reporting = self._client_for(self.reporting)
        candidates = self._visible_clients(self.samples)
        codes = [c.code for c in candidates if c.code][: self.samples]
        names = [c.name for c in candidates if c.name][: self.samples]
        typos = [code[:2] + ("2" if code[2] != "2" else "3") + code[3:] for code in codes]
        site = self.counsellor.sites.first()
        health = Topic.objects.filter(code="health").first()
        pages: list[Measured] = []

        def page(
            name: str,
            inputs: list[Any],
            run: Callable[[Any], Any],
            expect: tuple[int, ...] = (200,),
        ) -> None:
            measured = Measured(name)
            pages.append(measured)
            if not inputs:
                measured.errors += 1  # nothing to ask: the data lacks what this page needs
                return
            # Warm up: first-use imports and caches are not the page's time, but its errors are.
            warm_up = Measured(name)
            probe.measure(warm_up, lambda: run(inputs[0]), expect)
            measured.errors += warm_up.errors
            for value in inputs:
                probe.measure(measured, partial(run, value), expect)
            if name in self.profile:
                self._profile(name, [partial(run, value) for value in inputs])

        search = reverse("casework:search")
        # The floor: a page that shows no data of its own, only the frame every page pays for
        # (middleware, session, roles, the reminder badge, the base template).
        page(
            "empty search form",
            [None] * self.samples,
            lambda _: counsellor.get(search, secure=True),
        )
        page("search by code", codes, lambda q: counsellor.post(search, {"q": q}, secure=True))
        page("search by code typo", typos, lambda q: counsellor.post(search, {"q": q}, secure=True))
        page("search by name", names, lambda q: counsellor.post(search, {"q": q}, secure=True))
        today = reverse("casework:today")
        page("today's list", [None] * self.samples, lambda _: counsellor.get(today, secure=True))
        page(
            "client timeline",
            codes,
            lambda code: counsellor.get(reverse("casework:client", args=[code]), secure=True),
        )
        form = {
            "date": timezone.localdate().isoformat(),
            "site": str(site.pk) if site else "",
            "topics": [str(health.pk)] if health else [],
            "duration_minutes": "20",
            "notes": "Synthetic: a visit logged by the benchmark.",
            "outcome": "advice",
            "follow_up_for": "me",
        }
        today_ = timezone.localdate()
        with _leaves_no_rows(
            (Reminder, {"client__code__in": codes}),
            (Visit, {"client__code__in": codes, "date": today_}),
        ):
            page(
                "visit POST",
                codes,
                lambda code: counsellor.post(
                    reverse("casework:visit_create", args=[code]), form, secure=True
                ),
                expect=(302,),
            )
        with _leaves_no_rows(
            (Reminder, {"kind__startswith": "casework.mail."}),
            (MailItem, {"received_on": today_}),
        ):
            self._measure_mail_desk(page, counsellor, site)
        desk = reverse("referrals:dashboard")
        page(
            "coordinator desk", [None] * self.samples, lambda _: coordinator.get(desk, secure=True)
        )
        providers = reverse("referrals:provider_list")
        terms = [self.rng.choice([*SPECIALITIES, "Synthetic", "dental"]) for _ in codes]
        page(
            "provider search",
            terms,
            lambda q: counsellor.get(providers, {"q": q}, secure=True),
        )
        period = ReportPeriod.last_month()
        report = reverse("reporting:report")
        MonthlySnapshot.objects.filter(month=period.start).delete()
        page(
            "monthly report, live",
            [None] * report_samples,
            lambda _: reporting.get(report, {"period": period.slug}, secure=True),
        )
        store_snapshot(period)
        page(
            "monthly report, snapshot",
            [None] * self.samples,
            lambda _: reporting.get(report, {"period": period.slug}, secure=True),
        )
        return pages

    def _profile(self, name: str, requests: list[Callable[[], Any]]) -> None:
        """Where a page's time goes: the functions with the most time, with and without callees."""
        profiler = cProfile.Profile()
        profiler.enable()
        for request in requests:
            request()
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(30)
        stats.sort_stats("tottime").print_stats(30)
        self.stdout.write(f"\nProfile of {name}, {len(requests)} requests:\n{out.getvalue()}")

    def _measure_mail_desk(
        self, page: Callable[..., None], counsellor: TestClient, site: Site | None
    ) -> None:
        """The letters waiting at the counsellor's site, and a letter logged by slot number."""
        mail_desk = reverse("casework:address_desk")
        page("mail desk", [None] * self.samples, lambda _: counsellor.get(mail_desk, secure=True))
        held = list(
            SlotAssignment.objects.active()
            .filter(slot__address__site=site, slot__address__is_active=True)
            .values_list("slot__number", "slot__address_id")
            .order_by("?")[: self.samples]
        )
        log = reverse("casework:address_mail_log")
        letter = {
            "received_on": timezone.localdate().isoformat(),
            "sender_category": "authority",
            "note": "Synthetic: a letter logged by the benchmark.",
        }
        page(
            "mail POST by slot",
            [held[n % len(held)] for n in range(self.samples)] if held else [],
            lambda slot: counsellor.post(
                log, {**letter, "reference": str(slot[0]), "address": str(slot[1])}, secure=True
            ),
            expect=(302,),
        )

    def _report_vs_group_by(self, samples: int) -> dict[str, Any]:
        """The live report's build against one bare GROUP BY over the same month's visits."""
        period = ReportPeriod.last_month()
        query, params = (
            visits_in(period)
            .values("site_id")
            .annotate(n=Count("pk"), people=Count("client_id", distinct=True))
            .query.sql_with_params()
        )
        report_times, sql_times = [], []
        for _ in range(samples):
            started = time.perf_counter()
            build_report(period)
            report_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(query, params)
                cursor.fetchall()
            sql_times.append(time.perf_counter() - started)
        report_ms = statistics.median(report_times) * 1000
        group_by_ms = statistics.median(sql_times) * 1000
        return {
            "period": period.slug,
            "visits": visits_in(period).count(),
            "report_ms": round(report_ms, 2),
            "group_by_ms": round(group_by_ms, 2),
            "ratio": round(report_ms / group_by_ms, 1) if group_by_ms else None,
        }

    # Output.

    def _print(self, figures: dict[str, Any]) -> None:
        rows = figures["rows"]
        self.stdout.write(
            f"\nBench at scale {figures['scale']} on {figures['machine']['database']}: "
            + ", ".join(f"{n:,} {name}" for name, n in rows.items())
        )
        self.stdout.write(
            f"{'page':<26}{'median ms':>10}{'p95 ms':>9}{'queries':>9}{'page/SQL':>9}"
            f"{'decrypt':>9}{'errors':>7}"
        )
        for page in figures["pages"]:
            if not page["samples"]:
                self.stdout.write(f"{page['name']:<26}{'no samples':>54}{page['errors']:>7}")
                continue
            low, high = page["queries_min"], page["queries_max"]
            queries = f"{low}" if low == high else f"{low}-{high}"
            ratio = f"{page['page_over_sql']:.1f}x" if page["page_over_sql"] else "-"
            self.stdout.write(
                f"{page['name']:<26}{page['median_ms']:>10.1f}{page['p95_ms']:>9.1f}"
                f"{queries:>9}{ratio:>9}{page['decrypt_share']:>9.1%}{page['errors']:>7}"
            )
        report = figures["report_vs_group_by"]
        self.stdout.write(
            f"report build {report['report_ms']:.1f} ms vs bare GROUP BY "
            f"{report['group_by_ms']:.1f} ms over the {report['visits']:,} visits of "
            f"{report['period']}: {report['ratio']}x"
        )
        load = figures["load"]
        if load["skipped"]:
            self.stdout.write(f"load: skipped ({load['skipped']})")
        else:
            self.stdout.write(
                f"load: {load['requests_per_second']:.1f} requests/s over {load['seconds']:.0f} s "
                f"({load['requests']} requests, {load['connections']} connections, "
                f"{load['workers']} gunicorn workers), median {load['median_ms']:.1f} ms, "
                f"p95 {load['p95_ms']:.1f} ms, errors {load['errors']}"
            )


@contextmanager
def _leaves_no_rows(*scopes: tuple[type[Model], dict[str, Any]]) -> Iterator[None]:
    """Delete the rows that the measured requests add within each (model, filter) scope.

    The bench reuses its database: without this, every run would add its visits, reminders
    and letters to today's lists, and the next run would measure longer lists."""
    before = [
        set(model._default_manager.filter(**scope).values_list("pk", flat=True))
        for model, scope in scopes
    ]
    try:
        yield
    finally:
        for (model, scope), existing in zip(scopes, before, strict=True):
            added = (
                set(model._default_manager.filter(**scope).values_list("pk", flat=True)) - existing
            )
            model._default_manager.filter(pk__in=added).delete()


def _with_mfa(user: User | None) -> User:
    """A synthetic persona with a second factor, as the tests' personas have."""
    if user is None:
        raise CommandError("The synthetic staff is missing: seed a fresh database.")
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())
    return user


def _row_counts() -> dict[str, int]:
    from referrals.models import CostGuarantee, Provider, Referral

    return {
        "clients": Client.objects.count(),
        "visits": Visit.objects.count(),
        "referrals": Referral.objects.count(),
        "providers": Provider.objects.count(),
        "cost guarantees": CostGuarantee.objects.count(),
        "address assignments": SlotAssignment.objects.count(),
        "letters": MailItem.objects.count(),
    }


def _machine() -> dict[str, Any]:
    database = connection.vendor
    if database == "postgresql":
        database = f"PostgreSQL {connection.pg_version // 10000}"  # type: ignore[attr-defined]
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "database": database,
        "when": timezone.now().isoformat(timespec="seconds"),
    }
