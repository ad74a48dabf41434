"""``keyguard demo``: the README's first command, run as a user runs it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from plugins.pattern import KEY_RE
from tests.support.git import git_env

CHECKOUT = Path(__file__).resolve().parents[2]


def test_demo_sweeps_its_example_and_verifies_each_key(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "keyguard.main", "demo"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**git_env(), "PYTHONPATH": str(CHECKOUT)},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "3 Klaviyo private keys in 3 places" in proc.stdout
    statuses = re.findall(r"● (LIVE|LIMITED|REVOKED)\s", proc.stdout)
    assert statuses == ["LIVE", "LIMITED", "REVOKED"]
    assert "src/klaviyo.js:1:49" in proc.stdout
    assert "config/legacy.json:1:14" in proc.stdout
    assert "dist/app.min.js:1:9088  (js-escape)" in proc.stdout
    # Decoys never match, and no whole key is printed.
    assert KEY_RE.search(proc.stdout + proc.stderr) is None
    assert os.listdir(tmp_path) == []
