"""The instruments of `manage.py bench`: page timings, their SQL and decryption share, load.

A page is measured in-process, through Django's test client signed in as a persona, so the time
is server time only: from the request entering Django to the response leaving it, with no network
and no browser. While it runs, a database execute wrapper adds up the time and number of the
page's queries, and a wrapper around the crypto module's unseal functions adds up the time spent
decrypting (values and data keys). Throughput is measured apart, through gunicorn on loopback
with wrk, because that is what counts under concurrent load.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpResponse

from core import crypto


@dataclass
class Sample:
    seconds: float
    sql_seconds: float
    queries: int
    decrypt_seconds: float


@dataclass
class Measured:
    """The samples of one page (or one operation), and what is derived from them."""

    name: str
    samples: list[Sample] = field(default_factory=list)
    errors: int = 0

    def _ms(self, values: list[float], q: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000

    @property
    def median_ms(self) -> float:
        return statistics.median(s.seconds for s in self.samples) * 1000

    @property
    def p95_ms(self) -> float:
        return self._ms([s.seconds for s in self.samples], 0.95)

    @property
    def queries(self) -> tuple[int, int]:
        counts = [s.queries for s in self.samples]
        return min(counts), max(counts)

    @property
    def sql_ratio(self) -> float | None:
        """Page time over the time of its own SQL: 1.0 would be the database's own limit."""
        sql = sum(s.sql_seconds for s in self.samples)
        return sum(s.seconds for s in self.samples) / sql if sql else None

    @property
    def decrypt_share(self) -> float:
        """Share of the page's time spent decrypting."""
        return sum(s.decrypt_seconds for s in self.samples) / sum(s.seconds for s in self.samples)

    def as_dict(self) -> dict[str, Any]:
        if not self.samples:
            return {"name": self.name, "samples": 0, "errors": self.errors}
        low, high = self.queries
        return {
            "name": self.name,
            "samples": len(self.samples),
            "errors": self.errors,
            "median_ms": round(self.median_ms, 2),
            "p95_ms": round(self.p95_ms, 2),
            "queries_min": low,
            "queries_max": high,
            "page_over_sql": round(self.sql_ratio, 2) if self.sql_ratio else None,
            "decrypt_share": round(self.decrypt_share, 4),
        }


class Probe:
    """Adds up query time and count (execute wrapper) and decryption time (unseal wrapper)."""

    def __init__(self) -> None:
        self.sql_seconds = 0.0
        self.queries = 0
        self.decrypt_seconds = 0.0
        self._depth = 0

    def reset(self) -> None:
        self.sql_seconds = self.decrypt_seconds = 0.0
        self.queries = 0

    def _execute(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, ctx: Any
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, ctx)
        finally:
            self.sql_seconds += time.perf_counter() - started
            self.queries += 1

    def _timed(self, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            # unseal_with_ring calls unseal: count the outer call only.
            self._depth += 1
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self.decrypt_seconds += time.perf_counter() - started

        return timed

    @contextlib.contextmanager
    def installed(self) -> Iterator[Probe]:
        originals = crypto.unseal, crypto.unseal_with_ring
        crypto.unseal = self._timed(crypto.unseal)
        crypto.unseal_with_ring = self._timed(crypto.unseal_with_ring)
        try:
            with connection.execute_wrapper(self._execute):
                yield self
        finally:
            crypto.unseal, crypto.unseal_with_ring = originals

    def measure(
        self,
        measured: Measured,
        run: Callable[[], HttpResponse | None],
        expect: tuple[int, ...] = (200,),
    ) -> None:
        self.reset()
        started = time.perf_counter()
        try:
            response = run()
        except Exception:
            measured.errors += 1
            return
        seconds = time.perf_counter() - started
        if response is not None and response.status_code not in expect:
            measured.errors += 1
            return
        measured.samples.append(
            Sample(seconds, self.sql_seconds, self.queries, self.decrypt_seconds)
        )


@dataclass
class LoadResult:
    requests: int = 0
    seconds: float = 0.0
    errors: int = 0
    median_ms: float = 0.0
    p95_ms: float = 0.0
    connections: int = 0
    workers: int = 0
    skipped: str = ""

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "requests_per_second": round(self.per_second, 1)}


# wrk cycles through the paths; done() prints one line that the bench reads back.
WRK_SCRIPT = """
local paths = {%(paths)s}
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(95)))
end
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def host() -> str:
    """A host name the app accepts (ALLOWED_HOSTS), for requests made by the bench."""
    for host in settings.ALLOWED_HOSTS:
        if host not in ("*",) and not host.startswith("."):
            return str(host)
    return "localhost"


def load_test(
    *, paths: list[str], cookie: str, seconds: int, connections: int, workers: int
) -> LoadResult:
    """Counsellor pages through gunicorn on loopback, under wrk, for a bounded time."""
    result = LoadResult(connections=connections, workers=workers)
    wrk = shutil.which("wrk")
    if wrk is None:
        result.skipped = "wrk is not installed (apt-get install wrk; make bench does)"
        return result
    port = _free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(  # noqa: S603 (our own executables, fixed arguments)
        [
            str(gunicorn),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "30",
            "--forwarded-allow-ips",
            "127.0.0.1",
        ],
        env={**os.environ},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    headers = {"Cookie": cookie, "X-Forwarded-Proto": "https", "Host": host()}
    try:
        if not _wait_until_serving(port, paths[0], headers):
            result.errors = 1
            result.skipped = "gunicorn did not serve the page (see its output: run make serve)"
            return result
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(WRK_SCRIPT % {"paths": ", ".join(json.dumps(p) for p in paths)})
        command = [wrk, "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s"]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        command += ["-s", script.name, f"http://127.0.0.1:{port}/"]
        output = subprocess.run(  # noqa: S603 (wrk from shutil.which, arguments built here)
            command, capture_output=True, text=True, timeout=seconds + 60, check=False
        ).stdout
        os.unlink(script.name)
        line = next((x for x in output.splitlines() if x.startswith("BENCH ")), None)
        if line is None:
            result.errors = 1
            result.skipped = "wrk printed no summary"
            return result
        requests, micros, errors, p50, p95 = (int(x) for x in line.split()[1:])
        result.requests, result.seconds, result.errors = requests, micros / 1e6, errors
        result.median_ms, result.p95_ms = p50 / 1000, p95 / 1000
        return result
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def _wait_until_serving(port: int, path: str, headers: dict[str, str]) -> bool:
    """True once the page answers 200 (a redirect to the log-in page is a failure)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        server = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            server.request("GET", path, headers=headers)
            return server.getresponse().status == 200
        except OSError:
            time.sleep(0.3)
        finally:
            server.close()
    return False
