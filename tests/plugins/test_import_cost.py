"""The pre-commit path stays light: the pattern and the detection core import no heavy libraries.

detect-secrets alone costs about 0.2 s to import; a hook pays every import on every commit.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("detect_secrets", "rich", "httpx", "hvac", "click", "git", "requests", "pathspec")
#: The hook entry point and the modules its scan path imports.
LIGHT_MODULES = (
    "plugins.pattern",
    "scanner.detect.matches",
    "scanner.detect.engine",
    "scanner.findings",
    "scanner.stores.baseline",
    "keyguard.hook",
)


def _python(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize("module", LIGHT_MODULES)
def test_light_modules_import_nothing_heavy(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        f"heavy = {HEAVY!r}\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)))\n"
    )
    proc = _python("-c", code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_importtime_of_the_pattern_module_lists_no_heavy_import() -> None:
    proc = _python("-X", "importtime", "-c", "import plugins.pattern")
    assert proc.returncode == 0, proc.stderr
    imported = [line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()]
    assert "plugins.pattern" in imported
    assert not [name for name in imported if name.split(".")[0] in HEAVY]
