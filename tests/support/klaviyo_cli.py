"""Run ``keyguard`` pointed at a Klaviyo stand-in: in the test process by default (see
:mod:`tests.support.in_process`), or in a child process where a test needs one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.in_process import run_keyguard_in_process

ROOT = Path(__file__).resolve().parents[2]


def _env(url: str | None, env: dict[str, str] | None) -> dict[str, str]:
    """A clean proxy environment unless *env* sets one."""
    base = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    base["PYTHONPATH"] = str(ROOT)
    if url is not None:
        base["KEYGUARD_KLAVIYO_URL"] = url
    return {**base, **(env or {})}


def run_keyguard(
    *args: str,
    cwd: Path,
    url: str | None = None,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """``keyguard ARGS`` against the stand-in at *url*."""
    return run_keyguard_in_process(args, cwd=cwd, stdin=stdin, env=_env(url, env))


def run_keyguard_process(
    *args: str,
    cwd: Path,
    url: str | None = None,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """``python -m keyguard.main ARGS`` in a child process."""
    return subprocess.run(
        [sys.executable, "-m", "keyguard.main", *args],
        cwd=cwd,
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        env=_env(url, env),
        check=False,
        timeout=120,
    )
