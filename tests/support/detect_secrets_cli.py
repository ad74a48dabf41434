"""Drive the real detect-secrets CLI the way its users do, on real git repositories."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
PLUGIN_FILE = REPO_ROOT / "plugins" / "klaviyo.py"
#: The console script installed next to this interpreter (the one users run).
DETECT_SECRETS = Path(sys.executable).with_name("detect-secrets")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PYTHON"))}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, TERM="dumb")
    # detect-secrets verifies what it finds by default, and our plugin's verify() would
    # ask Klaviyo: point it at a closed local port, so each check ends at once, unverified.
    env["KEYGUARD_KLAVIYO_URL"] = "http://127.0.0.1:9"
    return env


def run_detect_secrets(
    *args: str | Path, cwd: Path, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(DETECT_SECRETS), *map(str, args)],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
        check=False,
    )


def scan_to_baseline(repo: Path, *extra: str) -> dict[str, Any]:
    """Run ``detect-secrets scan --plugin plugins/klaviyo.py`` in *repo*; keep .secrets.baseline."""
    # --no-verify: these tests are about finding keys; verification has its own tests.
    proc = run_detect_secrets("scan", "--no-verify", "--plugin", PLUGIN_FILE, *extra, cwd=repo)
    assert proc.returncode == 0, proc.stderr
    (repo / ".secrets.baseline").write_text(proc.stdout)
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def git_repo(path: Path, files: dict[str, str]) -> Path:
    """A real git repository at *path* with *files* written and staged."""
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(path)], check=True, env=_env())
    for name, text in files.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    subprocess.run(["git", "-C", str(path), "add", "-A"], check=True, env=_env())
    return path


def our_results(baseline: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        entry
        for entries in baseline["results"].values()
        for entry in entries
        if entry["type"] == "Klaviyo Private API Key"
    ]
