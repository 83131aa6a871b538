"""What the tests that start whole process stacks share: a small HTTP browser, the counsellor's
steps from log-in to a delivered reminder, and starting and stopping a process group the way a
terminal's Ctrl-C does."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from html.parser import HTMLParser
from http.client import HTTPConnection, HTTPResponse
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from tests.totp import totp_code

REPO_ROOT = Path(__file__).resolve().parents[2]


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
    """A browser that keeps cookies (Secure ones too) and follows nothing by itself.

    With `behind_tls_proxy`, every request says it came over HTTPS, as the proxy in front of a
    production server says it; without, it is a plain-HTTP browser on the development server.
    """

    def __init__(self, port: int, *, behind_tls_proxy: bool = True) -> None:
        self.port = port
        self.behind_tls_proxy = behind_tls_proxy
        scheme = "https" if behind_tls_proxy else "http"
        self.origin = f"{scheme}://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, fields: list[tuple[str, str]] | None = None):
        connection = HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        if self.behind_tls_proxy:
            headers["X-Forwarded-Proto"] = "https"
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


def leftover(group: int) -> list[str]:
    """Processes still alive in the stack's process group."""
    found = subprocess.run(  # noqa: S603 (fixed arguments)
        ["ps", "-o", "pid=,comm=", "-g", str(group)],  # noqa: S607 (ps from PATH)
        capture_output=True,
        text=True,
        check=False,
    )
    return [line.strip() for line in found.stdout.splitlines() if line.strip()]


@contextmanager
def started(
    command: list[str], env: dict[str, str], log_path: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """Run `command` in a process group of its own; on leaving, stop it as Ctrl-C does."""
    with log_path.open("wb") as log:
        stack = subprocess.Popen(  # noqa: S603 (the tests' own fixed commands)
            command,
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield stack
    finally:
        # Ctrl-C at the terminal signals the whole foreground process group.
        if stack.poll() is None:
            os.killpg(stack.pid, signal.SIGINT)
        try:
            stack.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(stack.pid, signal.SIGKILL)
            raise


def stopped_cleanly(stack: subprocess.Popen[bytes], log_path: Path, processes: list[str]) -> str:
    """Assert nothing of the group is left and honcho saw each process exit with status 0."""
    output = log_path.read_text(errors="replace")
    assert leftover(stack.pid) == [], output[-3000:]
    for process in processes:
        assert f"{process} stopped (rc=0)" in output, output[-3000:]
    return output


def wait_until_healthy(port: int, stack: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 90
    while True:
        if stack.poll() is not None:
            pytest.fail("The stack exited early:\n" + log_path.read_text(errors="replace"))
        try:
            # Load balancers probe over plain HTTP: the health check is exempt from the redirect.
            connection = HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail("The web server did not answer:\n" + log_path.read_text(errors="replace"))
        time.sleep(0.5)


def log_in(
    visitor: Visitor, email: str, password: str, totp_secret: str
) -> tuple[HTTPResponse, str]:
    """Password, then the authenticator's current code; returns the page it lands on."""
    where = visitor.submit("/accounts/login/", login=email, password=password)
    where = visitor.submit(where, code=totp_code(totp_secret))
    return visitor.get(where)


def log_a_visit_with_a_follow_up_today(visitor: Visitor) -> str:
    """An anonymous client, then a visit whose follow-up call is due today; returns the code."""
    client_page = visitor.submit("/clients/new/")
    code_match = re.fullmatch(r"/clients/([^/]+)/", client_page)
    assert code_match, client_page
    visit_path = f"/clients/{code_match.group(1)}/visits/new/"
    _, visit_form = visitor.get(visit_path)
    topics = [v for k, v in read_page(visit_form).fields if k == "topics"]
    all_topics = re.findall(r'name="topics" value="(\d+)"', visit_form)
    assert all_topics, visit_form[:3000]
    today = re.search(r'name="date" value="([\d-]+)"', visit_form)
    assert today, visit_form[:3000]
    visitor.submit(
        visit_path,
        topics=topics or all_topics[:1],
        follow_up_kind="call",
        follow_up_on=today.group(1),
        follow_up_for="me",
    )
    return code_match.group(1)


def wait_for_the_reminder(visitor: Visitor, client_code: str, log_path: Path) -> None:
    """Beat runs the dispatcher every minute and the worker delivers: the client's follow-up
    call appears among the delivered reminders (the table; upcoming ones are a list)."""
    delivered = re.compile(
        rf'<td class="code"><a href="/clients/{re.escape(client_code)}/">', re.IGNORECASE
    )
    deadline = time.monotonic() + 150
    while True:
        _, page = visitor.get("/reminders/")
        if delivered.search(page):
            break
        if time.monotonic() > deadline:
            pytest.fail("No reminder delivered:\n" + log_path.read_text(errors="replace")[-4000:])
        time.sleep(2)
    assert "Call back" in page
    assert re.search(r'class="badge"[^>]*>\s*[1-9]\d*\s*<', page), page[:3000]
