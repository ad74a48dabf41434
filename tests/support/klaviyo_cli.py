"""Run the installed ``keyguard`` command in a subprocess, pointed at a Klaviyo stand-in."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_keyguard(
    *args: str,
    cwd: Path,
    url: str | None = None,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """``python -m keyguard.main ARGS`` with a clean proxy environment unless *env* sets one."""
    base = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    base["PYTHONPATH"] = str(ROOT)
    if url is not None:
        base["KEYGUARD_KLAVIYO_URL"] = url
    return subprocess.run(
        [sys.executable, "-m", "keyguard.main", *args],
        cwd=cwd,
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        env={**base, **(env or {})},
        check=False,
        timeout=120,
    )
