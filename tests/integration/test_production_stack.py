"""The production stack, started the way docs/deploy.md says, does a counsellor's day and stops.

Runs when PRODUCTION_STACK=true (CI sets it): a fresh PostgreSQL database, Redis as broker and
cache, `make release`, `manage.py create_administrator`, then `make serve` — gunicorn with
whitenoise, a Celery worker and beat, DEBUG off, real secrets. Over HTTP, as a browser behind
the TLS proxy would (X-Forwarded-Proto: https), a counsellor logs in with a TOTP code, registers
a client, logs a visit with a follow-up for today, and sees the reminder arrive: beat schedules
the dispatcher, the worker delivers it. Ctrl-C then stops every process gracefully.
"""

from __future__ import annotations

import os
import re
import subprocess
import uuid
from collections.abc import Iterator
from http.client import HTTPConnection
from pathlib import Path

import psycopg
import pytest

from core.crypto import generate_key_entry
from tests.integration.stack import (
    REPO_ROOT,
    Visitor,
    free_port,
    log_a_visit_with_a_follow_up_today,
    log_in,
    read_page,
    started,
    stopped_cleanly,
    wait_for_the_reminder,
    wait_until_healthy,
    zone_past_eight,
)

pytestmark = pytest.mark.production

PASSWORD = "correct horse battery staple 42"

# Test set-up only, not part of a deployment: a site and a counsellor with a known TOTP
# secret, as an administrator would make them through an invitation in the app.
SETUP = """
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.account.models import EmailAddress
from core.models import Site, User
from core.roles import Role
site = Site.objects.create(name="Harbour Street")
user = User.objects.create_user("counsellor@example.org", {password!r})
user.set_roles([Role.COUNSELLOR])
user.sites.add(site)
EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
secret = generate_totp_secret()
TOTP.activate(user, secret)
print("SECRET=" + secret)
"""


@pytest.fixture
def database() -> Iterator[str]:
    name = f"casework_stack_{uuid.uuid4().hex[:10]}"
    admin_url = "postgresql://postgres@127.0.0.1:5432/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"postgres://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_production_stack_logs_a_visit_delivers_its_reminder_and_stops_cleanly(
    database: str, tmp_path: Path
) -> None:
    port = free_port()
    # Only what a service manager would give: nothing of the test run's own settings.
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    env.update(
        SECRET_KEY=f"stack-{uuid.uuid4().hex}{uuid.uuid4().hex}",
        ALLOWED_HOSTS="127.0.0.1",
        ENCRYPTION_KEYS=generate_key_entry("s1"),
        BLIND_INDEX_KEYS=generate_key_entry("b1"),
        DATABASE_URL=database,
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        CELERY_QUEUE=f"stack-{uuid.uuid4().hex}",
        CACHE_URL="redis://127.0.0.1:6379/1",
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
        TIME_ZONE=zone_past_eight(),
        VAR_DIR=str(tmp_path),
        BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
        WORKER_CONCURRENCY="1",
    )
    run = {"cwd": REPO_ROOT, "env": env, "capture_output": True, "text": True, "timeout": 300}

    release = subprocess.run(["make", "release"], **run, check=False)  # noqa: S607 (make from PATH, as docs/deploy.md runs it)
    assert release.returncode == 0, release.stdout + release.stderr
    bootstrap = subprocess.run(
        [".venv/bin/python", "manage.py", "create_administrator", "admin@example.org",
         "--password-stdin"],
        input=PASSWORD + "\n",
        **run,
        check=False,
    )  # fmt: skip
    assert bootstrap.returncode == 0, bootstrap.stderr
    setup = subprocess.run(  # noqa: S603 (fixed arguments)
        [".venv/bin/python", "manage.py", "shell", "-c", SETUP.format(password=PASSWORD)],
        **run,
        check=False,
    )
    assert setup.returncode == 0, setup.stderr
    secret = re.search(r"SECRET=(\w+)", setup.stdout).group(1)  # type: ignore[union-attr]

    log_path = tmp_path / "serve.log"
    with started(["make", "serve"], env, log_path) as stack:
        exercise(port, secret, stack, log_path)

    # Each process stopped on its own terms and with status 0: gunicorn's master, the worker
    # after a warm shutdown, and beat. (make itself reports the interrupt; it only waits.)
    output = stopped_cleanly(stack, log_path, ["web.1", "worker.1", "beat.1"])
    assert "Shutting down: Master" in output, output[-3000:]
    assert "worker: Warm shutdown" in output, output[-3000:]


def exercise(port: int, secret: str, stack: subprocess.Popen[bytes], log_path: Path) -> None:
    visitor = Visitor(port)
    wait_until_healthy(port, stack, log_path)

    # Plain HTTP is sent to HTTPS: the proxy must terminate TLS.
    plain = HTTPConnection("127.0.0.1", port, timeout=5)
    plain.request("GET", "/accounts/login/", headers={"Host": f"127.0.0.1:{port}"})
    assert plain.getresponse().status == 301

    response, home = log_in(visitor, "counsellor@example.org", PASSWORD, secret)
    assert "Strict-Transport-Security" in response.headers
    assert "no-store" in response.headers["Cache-Control"]

    # whitenoise serves the hashed, compressed static files.
    stylesheets = read_page(home).stylesheets
    assert stylesheets, home[:2000]
    style, css = visitor.get(stylesheets[0])
    assert "max-age" in style.headers["Cache-Control"] and css.strip()

    client_code = log_a_visit_with_a_follow_up_today(visitor)
    wait_for_the_reminder(visitor, client_code, log_path)
