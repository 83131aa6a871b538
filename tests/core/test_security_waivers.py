"""Every waived security finding says why it is safe to waive."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {".venv", "node_modules", ".git", "var", "artifacts", "staticfiles"}
# A security waiver names its codes, then a reason: in brackets, or after a dash.
SECURITY_NOQA = re.compile(r"#\s*noqa:\s*(?P<codes>S\d+(?:\s*,\s*[A-Z]+\d+)*)(?P<rest>.*)$")


def _python_files() -> list[Path]:
    return [
        path
        for path in REPO.rglob("*.py")
        if not SKIPPED_DIRS & set(path.relative_to(REPO).parts[:-1])
    ]


def test_the_scan_sees_the_project():
    files = {path.relative_to(REPO).as_posix() for path in _python_files()}
    assert {"config/settings.py", "core/demo.py", "tests/casework/conftest.py"} <= files


def test_every_security_noqa_gives_its_reason():
    unexplained = []
    for path in _python_files():
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            match = SECURITY_NOQA.search(line)
            if match and not re.search(r"\w", match["rest"]):
                unexplained.append(f"{path.relative_to(REPO)}:{number}")
    assert not unexplained, "say why each waiver is safe, e.g. '# noqa: S603 (fixed arguments)'"
