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
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from http.client import HTTPConnection, HTTPResponse
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psycopg
import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from core.crypto import generate_key_entry

pytestmark = pytest.mark.production

REPO_ROOT = Path(__file__).resolve().parents[2]
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


class FormReader(HTMLParser):
    """The fields of the first form whose action matches, with the values a browser would send."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self.links: list[str] = []
        self.stylesheets: list[str] = []
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        elif tag == "link" and a.get("rel") == "stylesheet":
            self.stylesheets.append(a["href"])
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button"):
                self.fields.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select, self._select_first, self._select_chosen = a.get("name"), None, False
        elif tag == "option" and self._select:
            if self._select_first is None:
                self._select_first = a.get("value", "")
            if "selected" in a:
                self.fields.append((self._select, a.get("value", "")))
                self._select_chosen = True
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.fields.append((a["name"], ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select:
            if not self._select_chosen and self._select_first is not None:
                self.fields.append((self._select, self._select_first))
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def read_page(body: str) -> FormReader:
    reader = FormReader()
    reader.feed(body)
    return reader


class Visitor:
    """A browser behind the TLS proxy: keeps cookies (Secure ones too) and follows nothing."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, fields: list[tuple[str, str]] | None = None):
        connection = HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        body = None
        if fields is not None:
            body = urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin
            headers["Referer"] = self.origin + path
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode(errors="replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        connection.close()
        return response, text

    def get(self, path: str) -> tuple[HTTPResponse, str]:
        """GET `path`, following redirects as a browser would."""
        for _ in range(5):
            response, text = self.request("GET", path)
            if response.status not in (301, 302):
                break
            path = urlsplit(response.headers["Location"]).path
        assert response.status == 200, f"GET {path}: {response.status} {text[:500]}"
        return response, text

    def submit(self, path: str, **overrides: str | list[str]) -> str:
        """Load the form at `path`, change some fields, post it; return where it redirects."""
        _, page = self.get(path)
        fields = [(k, v) for k, v in read_page(page).fields if k not in overrides]
        for name, value in overrides.items():
            for item in [value] if isinstance(value, str) else value:
                fields.append((name, item))
        response, text = self.request("POST", path, fields)
        assert response.status == 302, f"POST {path}: {response.status}\n{text[:3000]}"
        return urlsplit(response.headers["Location"]).path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def zone_past_eight() -> str:
    """A time zone where it is now between 09:00 and 21:59, so that a follow-up set for today
    (due at 08:00 local time) is due at once, whenever the test runs."""
    hour = datetime.now(UTC).hour
    for offset in range(-12, 15):
        if 9 <= (hour + offset) % 24 <= 21:
            # POSIX zone names invert the sign: Etc/GMT-2 is two hours ahead of UTC.
            return f"Etc/GMT{-offset:+d}" if offset else "UTC"
    raise AssertionError("unreachable: some offset always fits")


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
    with log_path.open("wb") as log:
        stack = subprocess.Popen(
            ["make", "serve"],  # noqa: S607 (make from PATH, as docs/deploy.md runs it)
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        exercise(port, secret, stack, log_path)
    finally:
        # Ctrl-C at the terminal signals the whole foreground process group.
        if stack.poll() is None:
            os.killpg(stack.pid, signal.SIGINT)
        try:
            stack.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(stack.pid, signal.SIGKILL)
            raise

    output = log_path.read_text(errors="replace")
    assert leftover(stack.pid) == [], output[-3000:]
    # Each process stopped on its own terms and with status 0: gunicorn's master, the worker
    # after a warm shutdown, and beat. (make itself reports the interrupt; it only waits.)
    assert "Shutting down: Master" in output, output[-3000:]
    assert "worker: Warm shutdown" in output, output[-3000:]
    for process in ("web.1", "worker.1", "beat.1"):
        assert f"{process} stopped (rc=0)" in output, output[-3000:]


def leftover(group: int) -> list[str]:
    """Processes still alive in the stack's process group."""
    found = subprocess.run(  # noqa: S603 (fixed arguments)
        ["ps", "-o", "pid=,comm=", "-g", str(group)],  # noqa: S607 (ps from PATH)
        capture_output=True,
        text=True,
        check=False,
    )
    return [line.strip() for line in found.stdout.splitlines() if line.strip()]


def exercise(port: int, secret: str, stack: subprocess.Popen[bytes], log_path: Path) -> None:
    visitor = Visitor(port)
    deadline = time.monotonic() + 60
    while True:
        if stack.poll() is not None:
            pytest.fail("The stack exited early:\n" + log_path.read_text(errors="replace"))
        try:
            # Load balancers probe over plain HTTP: the health check is exempt from the redirect.
            connection = HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                break
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail("gunicorn did not answer:\n" + log_path.read_text(errors="replace"))
        time.sleep(0.5)

    # Plain HTTP is sent to HTTPS: the proxy must terminate TLS.
    plain = HTTPConnection("127.0.0.1", port, timeout=5)
    plain.request("GET", "/accounts/login/", headers={"Host": f"127.0.0.1:{port}"})
    assert plain.getresponse().status == 301

    # Log in: password, then the authenticator's code.
    where = visitor.submit("/accounts/login/", login="counsellor@example.org", password=PASSWORD)
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    where = visitor.submit(where, code=code)
    response, home = visitor.get(where)
    assert "Strict-Transport-Security" in response.headers
    assert "no-store" in response.headers["Cache-Control"]

    # whitenoise serves the hashed, compressed static files.
    stylesheets = read_page(home).stylesheets
    assert stylesheets, home[:2000]
    style, css = visitor.get(stylesheets[0])
    assert "max-age" in style.headers["Cache-Control"] and css.strip()

    # An anonymous client, then a visit with a follow-up for today.
    client_page = visitor.submit("/clients/new/")
    code_match = re.fullmatch(r"/clients/([^/]+)/", client_page)
    assert code_match, client_page
    _, visit_form = visitor.get(f"/clients/{code_match.group(1)}/visits/new/")
    topics = [v for k, v in read_page(visit_form).fields if k == "topics"]
    all_topics = re.findall(r'name="topics" value="(\d+)"', visit_form)
    assert all_topics, visit_form[:3000]
    today = re.search(r'name="date" value="([\d-]+)"', visit_form)
    assert today, visit_form[:3000]
    visitor.submit(
        f"/clients/{code_match.group(1)}/visits/new/",
        topics=topics or all_topics[:1],
        follow_up_kind="call",
        follow_up_on=today.group(1),
        follow_up_for="me",
    )

    # Beat runs the dispatcher every minute; the worker delivers; the navigation shows it.
    deadline = time.monotonic() + 150
    while True:
        _, page = visitor.get("/reminders/")
        if re.search(r'class="badge"[^>]*>\s*1\s*<', page):
            break
        if time.monotonic() > deadline:
            pytest.fail("No reminder delivered:\n" + log_path.read_text(errors="replace")[-4000:])
        time.sleep(2)
    assert "Call back" in page
