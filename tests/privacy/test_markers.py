"""Marker tests: a person's data leaves only through that person's own pages.

One client carries a unique marker in every encrypted field of every personal model. Then the
database dump, every page of every persona, every management command, the admin, the logs and
Celery task arguments are searched for it. New URLs, commands, admin registrations and personal
models are covered automatically: each must be classified below, or these tests fail.
"""

from __future__ import annotations

import contextlib
import io
import logging
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from celery.signals import before_task_publish
from django.contrib import admin
from django.core.management import call_command, get_commands
from django.db import connection
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from casework.models import Reminder
from casework.models.addresses import WaitlistEntry
from core.fields import personal_models
from tests.privacy.seeding import MARKER, PERSONAL_SEEDERS, contains_marker, seed_person
from tests.referrals.factories import InvoiceFactory

# Pages that show one person to staff who may see that person: the marker may appear here,
# and only here, and only for case roles. Reviewed list — add a page only if it is about one
# person and is meant to show their data.
PERSON_PAGES: set[str] = {
    "casework:address_client",
    "casework:address_mail_detail",
    "casework:address_assignment_letter",
    "casework:client",
    "casework:client_edit",
    "casework:client_record",
    "casework:needs_assess",
    "casework:visit_create",
    "casework:visit_edit",
    "referrals:referral_detail",
    "referrals:referral_edit",
    # Shows the pseudonym only (when configured); tests/referrals/test_slip.py proves it.
    "referrals:referral_slip",
}

# Aggregate pages: the anonymised reports. Never person pages; besides the walk below (which
# opens last month's report), test_reports_of_the_marked_persons_period_show_no_person opens
# the periods the marked person is counted in.
AGGREGATE_PAGES: set[str] = {
    "reporting:report",
    "reporting:report_csv",
    "reporting:recompute",
}

# URL parameters, by name, and how to fill them from the seeded world.
URL_PARAMS = {
    "public_id": lambda world: world["staff"].public_id,
    "provider_id": lambda world: world["provider"].id,
    "code": lambda world: world["casework.client"].code,
    "mail_id": lambda world: world["casework.mailitem"].pk,
    "assignment_id": lambda world: world["casework.slotassignment"].pk,
    "address_id": lambda world: world["casework.slotassignment"].slot.address_id,
    "entry_id": lambda world: _waitlist_entry(world).pk,
    "visit_id": lambda world: world["casework.visit"].pk,
    "reminder_id": lambda world: _reminder(world).pk,
    "referral_id": lambda world: world["referrals.referral"].id,
    "transition": lambda world: "send",
    "fund_id": lambda world: world["invoice"].guarantee.fund_id,
    "period_slug": lambda world: world["invoice"].guarantee.fund.current_period().slug,
    "guarantee_id": lambda world: world["invoice"].guarantee_id,
    "invoice_id": lambda world: world["invoice"].id,
    "step": lambda world: "check",
}


def _reminder(world: dict) -> Reminder:
    from django.utils import timezone

    return Reminder.objects.schedule(
        kind="tests.marker",
        label="Call back (follow-up from a visit)",
        due_at=timezone.now(),
        client=world["casework.client"],
        obj=world["casework.visit"],
        user=world["staff"],
        dedupe_key="tests.marker",
    )


def _waitlist_entry(world: dict) -> WaitlistEntry:
    entry, _created = WaitlistEntry.objects.get_or_create(
        client=world["casework.client"],
        address=world["casework.slotassignment"].slot.address,
        closed_at=None,
    )
    return entry


# URL names that are not walked, with the reason.
NOT_WALKED = {
    "core:invitation_accept": "public; takes a one-time token, shows no case data",
    "set_language": "POST only",
}
# allauth's own account pages (log-in, MFA, password) show staff accounts, never clients.
NOT_WALKED_PREFIXES = ("account_", "mfa_", "admin:")


@dataclass
class Route:
    name: str
    params: list[str]


def _walk(patterns: list, namespace: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield Route(f"{namespace}{entry.name}", list(entry.pattern.converters))


def routes() -> list[Route]:
    seen: dict[str, Route] = {}
    for route in _walk(get_resolver().url_patterns):
        seen.setdefault(route.name, route)
    return sorted(seen.values(), key=lambda r: r.name)


def walked_routes() -> list[Route]:
    return [
        r
        for r in routes()
        if r.name not in NOT_WALKED and not r.name.startswith(NOT_WALKED_PREFIXES)
    ]


@pytest.fixture
def world(site_a, counsellor_a, coordinator, reporting_user, administrator):
    rows = seed_person(site_a)
    referral = rows["referrals.referral"]
    invoice = InvoiceFactory(guarantee__referral=referral)
    return {
        **rows,
        "staff": counsellor_a,
        "site": site_a,
        "provider": referral.provider,
        "invoice": invoice,
    }


def test_every_personal_model_is_seeded_with_markers():
    labels = {model._meta.label_lower for model in personal_models()}
    assert labels == {"casework.client", *PERSONAL_SEEDERS}


def test_every_url_parameter_is_known():
    unknown = {
        (route.name, param)
        for route in walked_routes()
        for param in route.params
        if param not in URL_PARAMS
    }
    assert not unknown, (
        "Add these URL parameters to URL_PARAMS (or the URL to NOT_WALKED, with a reason) "
        f"in tests/privacy/test_markers.py: {sorted(unknown)}"
    )


PERSONAS = ["coordinator", "counsellor_a", "reporting_user", "administrator"]
CASE_PERSONAS = {"coordinator", "counsellor_a"}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_no_page_shows_a_person_outside_their_own_pages(persona, world, request, caplog):
    user = request.getfixturevalue(persona)
    http = HttpClient()
    http.force_login(user)
    leaks = []
    with caplog.at_level(logging.DEBUG):
        for route in walked_routes():
            url = reverse(route.name, kwargs={p: URL_PARAMS[p](world) for p in route.params})
            response = http.get(url)
            body = response.content.decode(errors="replace")
            allowed = route.name in PERSON_PAGES and persona in CASE_PERSONAS
            if contains_marker(body) and not allowed:
                leaks.append((route.name, response.status_code))
    assert not leaks, f"Pages that show the marked person to {persona}: {leaks}"
    assert not contains_marker(caplog.text)


def test_aggregate_pages_are_walked_and_never_person_pages():
    walked = {route.name for route in walked_routes()}
    assert walked >= AGGREGATE_PAGES
    assert not AGGREGATE_PAGES & PERSON_PAGES


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["coordinator", "reporting_user"])
def test_reports_of_the_marked_persons_period_show_no_person(persona, world, request):
    from django.utils import timezone

    from reporting.periods import ReportPeriod

    http = HttpClient()
    http.force_login(request.getfixturevalue(persona))
    month = ReportPeriod.month_of(timezone.localdate())
    http.post(reverse("reporting:recompute"), {"period": month.slug})
    for slug in (month.slug, str(month.start.year)):
        for name in ("reporting:report", "reporting:report_csv"):
            response = http.get(reverse(name), {"period": slug})
            assert response.status_code == 200
            body = response.content.decode()
            # The marked person is counted (one visit at least), yet never shown.
            assert "<svg" in body or "Visits" in body
            assert not contains_marker(body), f"{name} {slug} shows the marked person"


# Management commands of this project, and how to run them safely in a test. A command not in
# this table fails the test: decide whether it can print people, and say so here.
COMMAND_RUNS: dict[str, list[str] | str] = {
    "verify_audit": [],
    "bench": "needs an empty or synthetic database; tests/core/test_bench.py checks its output",
    "retention": ["--dry-run"],
    "seed_synthetic": [
        "--allow-production",
        *("--clients", "5", "--visits", "10", "--referrals", "2", "--providers", "1"),
        "--no-progress",
    ],
    "rotate_keys": ["--no-progress"],
    "backup": "writes encrypted files only; covered by tests/core/test_backup.py",
    "restore_backup": "reads backup files; prints counts only",
    "dumpdata": [],
    "seed_demo": "DEBUG only; prints the fictional demo accounts it creates",
    "demo_totp": "DEBUG only; prints the current code of a demo account",
    "create_administrator": "bootstraps the first staff account; reads no case data",
}
PROJECT_APPS = ("core", "casework", "referrals", "reporting")


@pytest.mark.django_db
def test_no_management_command_prints_a_person(world, capsys):
    project_commands = {name for name, app in get_commands().items() if app in PROJECT_APPS} | {
        "dumpdata"
    }
    unclassified = project_commands - set(COMMAND_RUNS)
    assert not unclassified, f"Classify these commands in COMMAND_RUNS: {sorted(unclassified)}"
    for name, args in COMMAND_RUNS.items():
        if isinstance(args, str):
            continue
        out, err = io.StringIO(), io.StringIO()
        with contextlib.suppress(SystemExit):
            call_command(name, *args, stdout=out, stderr=err)
        captured = capsys.readouterr()
        text = out.getvalue() + err.getvalue() + captured.out + captured.err
        assert not contains_marker(text), f"manage.py {name} printed the marked person"


def test_no_personal_model_is_in_the_admin():
    registered = set(admin.site._registry)
    assert not registered & set(personal_models())


@pytest.mark.django_db
def test_admin_pages_show_no_person(world, administrator):
    administrator.is_superuser = True
    administrator.save()
    http = HttpClient()
    http.force_login(administrator)
    for model in admin.site._registry:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        body = http.get(url).content.decode()
        assert not contains_marker(body), f"admin {opts.label} shows the marked person"


@pytest.mark.django_db
def test_task_arguments_carry_no_person(world):
    published: list[str] = []

    def record(sender: str, body: object, **kwargs: object) -> None:
        published.append(repr(body))

    before_task_publish.connect(record)
    try:
        from core.tasks import verify_audit_chain

        verify_audit_chain.apply()
    finally:
        before_task_publish.disconnect(record)
    assert not any(contains_marker(body) for body in published)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_database_dump_holds_no_person(site_a):
    seed_person(site_a)
    pg_dump = shutil.which("pg_dump")
    assert pg_dump, "pg_dump must be installed for this test"
    db = connection.settings_dict
    result = subprocess.run(  # noqa: S603 (pg_dump of the test database)
        [pg_dump, "--host", db["HOST"] or "127.0.0.1", "--username", db["USER"], db["NAME"]],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "casework_client" in result.stdout
    assert result.stdout.count(MARKER) == 0
    assert not contains_marker(result.stdout)
