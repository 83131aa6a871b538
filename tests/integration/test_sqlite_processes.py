"""The embedded default runs web, worker and beat as separate processes on one SQLite file.

Appending to the audit chain reads the last entry and then writes; two processes doing that
at once on SQLite fail with "database is locked" unless write transactions start IMMEDIATE
(and wait for the lock). This runs several real processes against one file to prove they don't.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
WRITERS = 3
ENTRIES_PER_WRITER = 60

WRITER = """
import sys, time
from pathlib import Path
import django
django.setup()
from core.audit import log_action
go = Path(sys.argv[1]) / "go"
(Path(sys.argv[1]) / f"ready-{sys.argv[2]}").touch()
while not go.exists():
    time.sleep(0.01)
for n in range(int(sys.argv[3])):
    log_action("tests.writer.wrote", actor=None, ref=f"{sys.argv[2]}-{n}")
"""

CHECK = """
import django
django.setup()
from core.audit import verify_chain
report = verify_chain()
print(report.checked, report.ok)
"""


def test_processes_append_to_the_audit_chain_on_one_sqlite_file_without_locking(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "VAR_DIR": str(tmp_path),
    }
    run = {"cwd": REPO_ROOT, "env": env, "capture_output": True, "text": True, "timeout": 120}
    migrate = subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], **run, check=False)
    assert migrate.returncode == 0, migrate.stderr

    writers = [
        subprocess.Popen(  # noqa: S603 (fixed arguments)
            [sys.executable, "-c", WRITER, str(tmp_path), str(n), str(ENTRIES_PER_WRITER)],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(WRITERS)
    ]
    # Start them together, so that their transactions really overlap.
    for _ in range(3000):
        if all((tmp_path / f"ready-{n}").exists() for n in range(WRITERS)):
            break
        if any(writer.poll() is not None for writer in writers):
            break
        time.sleep(0.02)
    (tmp_path / "go").touch()
    results = [writer.communicate(timeout=120) for writer in writers]

    for writer, (_, stderr) in zip(writers, results, strict=True):
        assert writer.returncode == 0, stderr
    check = subprocess.run([sys.executable, "-c", CHECK], **run, check=True)  # noqa: S603 (fixed arguments)
    assert check.stdout.split() == [str(WRITERS * ENTRIES_PER_WRITER), "True"]
