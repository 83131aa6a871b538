"""Browser journeys: Playwright driving Debian's Chromium, headless, against a live server.

Locally the journeys are skipped (with the reason) when Chromium or axe-core is missing; in CI
(CI=true) a missing browser is a failure, never a skip. Screenshots go to
`artifacts/screenshots/` (SCREENSHOT_DIR), which CI keeps as artifacts.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.totp import totp_code

# Playwright's sync API runs an event loop in this thread; Django's ORM is used between
# browser steps from the same thread, which is safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "artifacts/screenshots"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _require(path: Path, how: str) -> None:
    if path.exists():
        return
    message = f"{path} is missing: {how}"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    _require(CHROMIUM, "apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server, request) -> Iterator[object]:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    errors: list[str] = []
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    tab.on(
        "response",
        lambda response: (
            errors.append(f"{response.status} {response.url}") if response.status >= 400 else None
        ),
    )
    tab.console_errors = errors
    yield tab
    context.close()


@pytest.fixture
def phone_page(browser, live_server) -> Iterator[object]:
    """A small touch screen, to check the pages work on a phone."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    yield tab
    context.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page, email: str, password: str, secret: str) -> None:
    """Log in as a person would: e-mail and password, then the authenticator code."""
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.get_by_label("Code").fill(totp_code(secret))
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(lambda url: "/accounts/" not in url)


def axe_violations(browser, live_server, page_url: str, storage_state: dict) -> list[dict]:
    """Serious and critical axe-core findings on one page.

    axe is injected as a script, which the app's CSP rightly forbids; this one context, used
    only for the check, bypasses CSP.
    """
    _require(AXE, "npm ci (installs axe-core from package-lock.json)")
    context = browser.new_context(
        base_url=live_server.url, bypass_csp=True, storage_state=storage_state
    )
    tab = context.new_page()
    tab.goto(page_url)
    tab.add_script_tag(path=str(AXE))
    result = tab.evaluate("async () => await axe.run(document)")
    context.close()
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def format_violations(violations: list[dict]) -> str:
    return json.dumps(violations, indent=2)
