"""Real Celery workers for integration tests.

Tests marked `redis` run only when CELERY_INTEGRATION=true (CI sets it); then a missing Redis
or a database the worker cannot share is a failure, never a skip. The `celery_worker` fixture
starts `celery -A config worker` subprocesses on the test's Redis broker and queue, connected
to the test's own database, and stops them cleanly when the test ends.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection

INTEGRATION = os.environ.get("CELERY_INTEGRATION") == "true"
PRODUCTION_STACK = os.environ.get("PRODUCTION_STACK") == "true"
REPO_ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_redis = pytest.mark.skip(
        reason="needs Redis and a Celery worker: set CELERY_INTEGRATION=true"
    )
    skip_stack = pytest.mark.skip(
        reason="starts the whole production stack (minutes): set PRODUCTION_STACK=true"
    )
    for item in items:
        if "redis" in item.keywords and not INTEGRATION:
            item.add_marker(skip_redis)
        if "production" in item.keywords and not PRODUCTION_STACK:
            item.add_marker(skip_stack)


def wait_until(check: Callable[[], T], *, timeout: float = 30, what: str = "condition") -> T:
    """Poll `check` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out after {timeout}s waiting for {what}.")
        time.sleep(0.1)


@dataclass
class CeleryWorker:
    """One `celery worker` subprocess; its output goes to `log_path`."""

    name: str
    process: subprocess.Popen[bytes]
    log_path: Path
    stopped: bool = field(default=False)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = 30) -> None:
        def ready() -> bool:
            if self.process.poll() is not None:
                pytest.fail(f"Worker {self.name} exited early:\n{self.log()}")
            return " ready." in self.log()

        wait_until(ready, timeout=timeout, what=f"worker {self.name} to be ready")

    def stop(self, timeout: float = 30) -> None:
        """Warm shutdown (SIGTERM): finish the current task, then exit with status 0."""
        if self.stopped:
            return
        self.stopped = True
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            returncode = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            pytest.fail(f"Worker {self.name} did not stop within {timeout}s:\n{self.log()}")
        assert returncode == 0, f"Worker {self.name} exited with {returncode}:\n{self.log()}"


def _shared_database_url() -> str:
    """A DATABASE_URL naming the database this test runs on, for a worker to share it."""
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        pytest.fail(
            "Worker tests share the test database with a worker process, which an in-memory "
            "SQLite database cannot do: run them with DATABASE_URL=postgres://..."
        )
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{quote(db['NAME'], safe='')}"


def _require_redis(url: str) -> None:
    if not url.startswith("redis://"):
        pytest.fail(f"CELERY_BROKER_URL must point at Redis for worker tests, not {url!r}.")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis at {url} is unreachable: {error}")


@pytest.fixture
def celery_worker(transactional_db: None, tmp_path: Path) -> Iterator[Callable[..., CeleryWorker]]:
    """Start real Celery workers: `celery_worker()` returns a ready worker.

    The test's own data must be committed for the worker to see it, hence the transactional
    database. Workers still running when the test ends are stopped, and must stop cleanly.
    """
    broker_url = settings.CELERY_BROKER_URL
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    _require_redis(broker_url)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DATABASE_URL": _shared_database_url(),
        "CELERY_BROKER_URL": broker_url,
        "CELERY_QUEUE": queue,
    }
    workers: list[CeleryWorker] = []

    def start(*, concurrency: int = 1, pool: str = "solo", wait: bool = True) -> CeleryWorker:
        name = f"test-{uuid.uuid4().hex[:8]}"
        log_path = tmp_path / f"{name}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(  # noqa: S603 (fixed arguments: our own Celery app)
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "--app=config",
                    "worker",
                    f"--hostname={name}@%h",
                    f"--pool={pool}",
                    f"--concurrency={concurrency}",
                    "--loglevel=INFO",
                    # No chatter with other workers that may share this Redis.
                    "--without-mingle",
                    "--without-gossip",
                    "--without-heartbeat",
                ],
                cwd=REPO_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        worker = CeleryWorker(name=name, process=process, log_path=log_path)
        workers.append(worker)
        if wait:
            worker.wait_ready()
        return worker

    try:
        yield start
    finally:
        for worker in workers:
            worker.stop()
        # Leave nothing of this run's queue behind in the shared Redis.
        client = redis.Redis.from_url(broker_url)
        leftovers = client.keys(f"*{queue}*")
        if leftovers:
            client.delete(*leftovers)
