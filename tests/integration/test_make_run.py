"""`make run`, as a newcomer types it: the embedded default does a counsellor's day and stops.

Runs with the production-stack tests (PRODUCTION_STACK=true; CI sets it), because it starts real
processes for a minute or two. On a SQLite file and kombu's filesystem broker in a folder of its
own — no database or broker server — `make run` migrates, loads the demo, and starts web, Celery
worker and beat. The demo counsellor logs in with the published TOTP secret, logs a visit with a
follow-up for today, and sees beat and the worker deliver the reminder. Ctrl-C stops all three.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from tests.integration.stack import (
    Visitor,
    free_port,
    log_a_visit_with_a_follow_up_today,
    log_in,
    started,
    stopped_cleanly,
    wait_for_the_reminder,
    wait_until_healthy,
    zone_past_eight,
)

pytestmark = pytest.mark.production


def test_make_run_serves_the_demo_delivers_a_reminder_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    # A newcomer's shell: none of the test run's settings, no DATABASE_URL, no broker URL.
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    env.update(VAR_DIR=str(tmp_path / "var"), PORT=str(port), TIME_ZONE=zone_past_eight())
    log_path = tmp_path / "run.log"

    with started(["make", "run"], env, log_path) as stack:
        wait_until_healthy(port, stack, log_path)
        output = log_path.read_text(errors="replace")
        assert "counsellor@demo.invalid" in output and DEMO_TOTP_SECRET in output
        assert f"http://127.0.0.1:{port}/" in output

        visitor = Visitor(port, behind_tls_proxy=False)
        _, home = log_in(visitor, "counsellor@demo.invalid", DEMO_PASSWORD, DEMO_TOTP_SECRET)
        assert 'href="/reminders/"' in home, home[:2000]
        client_code = log_a_visit_with_a_follow_up_today(visitor)
        wait_for_the_reminder(visitor, client_code, log_path)

    output = stopped_cleanly(stack, log_path, ["web.1", "worker.1", "beat.1"])
    assert "filesystem://" in output, output[:3000]
    assert (tmp_path / "var" / "db.sqlite3").exists()
