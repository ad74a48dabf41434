"""Run ``keyguard`` in a child process, answers fed on stdin as a person types them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.detect_secrets_cli import REPO_ROOT


def run_keyguard(
    *args: str | Path, cwd: Path, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")} | (env or {})
    env["PYTHONPATH"] = str(REPO_ROOT)
    return subprocess.run(
        [sys.executable, "-m", "keyguard.main", *map(str, args)],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def run_audit(
    *args: str | Path, cwd: Path, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return run_keyguard("audit", *args, cwd=cwd, stdin=stdin, env=env)
