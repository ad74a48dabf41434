"""``keyguard plugin-path`` and the docs' detect-secrets recipe, run from a project that
has a ``plugins/`` package of its own (so ``import plugins`` would find the wrong one)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support.detect_secrets_cli import REPO_ROOT, _env, git_repo
from tests.support.keys import make_key

BIN = Path(sys.executable).parent


def _project(tmp_path: Path) -> Path:
    repo = git_repo(
        tmp_path / "project",
        {
            "plugins/__init__.py": "",
            "plugins/klaviyo.py": "# this project's own plugins package, not keyguard's\n",
            "settings.py": f"KLAVIYO = '{make_key('plugin-path')}'\n",
        },
    )
    return repo


def _run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**_env(), "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, env=env, check=False)


def test_plugin_path_names_the_installed_plugin_not_the_projects(tmp_path: Path) -> None:
    repo = _project(tmp_path)
    proc = _run(["keyguard", "plugin-path"], repo)
    assert proc.returncode == 0, proc.stderr
    assert Path(proc.stdout.strip()) == REPO_ROOT / "plugins" / "klaviyo.py"


def test_the_documented_detect_secrets_recipe_finds_the_key(tmp_path: Path) -> None:
    repo = _project(tmp_path)
    docs = (REPO_ROOT / "docs" / "baseline.md").read_text(encoding="utf-8")
    (recipe,) = [line for line in docs.splitlines() if line.startswith("detect-secrets scan --")]
    proc = _run(["bash", "-c", recipe], repo)
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)["results"]
    assert [r["type"] for r in results["settings.py"]] == ["Klaviyo Private API Key"]
