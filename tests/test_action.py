"""The GitHub Action at the repository root (action.yml): its steps' scripts run here as a
runner runs them (bash -e, inputs through the environment, GITHUB_OUTPUT), against real
repositories, the Klaviyo stand-in and the forge stand-ins."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from keyguard.rehearsal.forge_github import GitHubStandin
from keyguard.rehearsal.git_http import GitHttpServer
from keyguard.rehearsal.klaviyo_standin import KeyState, KlaviyoStandin
from tests.support.forge import serve_repo
from tests.support.git import commit_file, git_env, init_repo
from tests.support.keys import make_key

ACTION = Path(__file__).resolve().parents[1] / "action.yml"
_EXPRESSION = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


def action() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(ACTION.read_text())
    return loaded


def run_steps(
    cwd: Path, inputs: dict[str, str], env: dict[str, str]
) -> tuple[int, str, dict[str, str]]:
    """Run the action's shell steps (not the marketplace actions it uses) as a runner
    would; returns the first failing step's code (0 when all passed), output, outputs."""
    spec = action()
    values = {name: str(item.get("default", "")) for name, item in spec["inputs"].items()}
    values |= inputs
    values["token"] = env.get("GITHUB_TOKEN", "")

    def expand(text: str) -> str:
        def one(match: re.Match[str]) -> str:
            expression = match.group(1)
            assert expression.startswith("inputs."), expression
            return values[expression.removeprefix("inputs.")]

        return _EXPRESSION.sub(one, text)

    output_file = cwd / "github-output"
    output_file.write_text("")
    bin_dir = str(Path(sys.executable).parent)  # keyguard installed as the install step would
    log = ""
    for step in spec["runs"]["steps"]:
        if "run" not in step or "pip install" in step["run"]:
            continue
        step_env = {k: expand(str(v)) for k, v in step.get("env", {}).items()}
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", expand(step["run"])],
            cwd=cwd,
            env={
                **env,
                **step_env,
                "GITHUB_OUTPUT": str(output_file),
                "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            },
            capture_output=True,
            text=True,
            check=False,
        )
        log += proc.stdout + proc.stderr
        if proc.returncode != 0:
            return proc.returncode, log, _outputs(output_file)
    return 0, log, _outputs(output_file)


def _outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def test_the_action_is_composite_and_uses_no_input_inside_a_script() -> None:
    spec = action()
    assert spec["runs"]["using"] == "composite"
    for step in spec["runs"]["steps"]:
        # Inputs reach scripts through env: a value spliced into a script could run code.
        assert "${{" not in step.get("run", ""), step.get("name")
    assert set(spec["inputs"]) >= {"targets", "token", "fail-on", "shard", "upload-sarif"}


@pytest.fixture
def checkout(tmp_path: Path, klaviyo: KlaviyoStandin) -> tuple[Path, dict[str, str]]:
    repo = init_repo(tmp_path / "checkout")
    commit_file(repo, "config.py", f"KEY = '{make_key('action-revoked')}'\n")
    commit_file(repo, "config.py", "KEY = None\n")
    klaviyo.add_key(make_key("action-revoked"), state=KeyState.DISABLED)
    return repo, {**git_env(), "KEYGUARD_KLAVIYO_URL": klaviyo.url}


def test_fail_on_any_live_or_never(
    checkout: tuple[Path, dict[str, str]], klaviyo: KlaviyoStandin
) -> None:
    repo, env = checkout
    code, log, outputs = run_steps(repo, {"fail-on": "any"}, env)
    assert code == 1, log
    assert outputs["exit-code"] == "1"
    assert (repo / "keyguard.sarif").is_file()
    # The key is revoked: "live" verifies it and passes; "never" only reports.
    code, log, _ = run_steps(repo, {"fail-on": "live"}, env)
    assert code == 0, log
    assert "0 failing" in log
    assert run_steps(repo, {"fail-on": "never"}, env)[0] == 0
    commit_file(repo, "more.py", f"K = '{make_key('action-live')}'\n")
    klaviyo.add_key(make_key("action-live"))
    code, log, _ = run_steps(repo, {"fail-on": "live"}, env)
    assert code == 1
    assert "::error" in log


def test_an_organisation_with_a_shard(
    tmp_path: Path,
    git_server: GitHttpServer,
    github_api: GitHubStandin,
    forge_env: dict[str, str],
) -> None:
    for i in range(4):
        serve_repo(git_server, f"acme/r{i}", {"k.txt": f"{make_key(f'action-org-{i}')}\n"})
        github_api.add_repo(f"acme/r{i}")
    found = 0
    for shard in ("0/2", "1/2"):
        _code, log, outputs = run_steps(
            tmp_path,
            {"targets": "github:acme\n", "fail-on": "any", "shard": shard, "args": "--jobs 2"},
            {**os.environ, **forge_env},
        )
        found += (tmp_path / "keyguard.sarif").read_text().count('"ruleId"')
        assert outputs["exit-code"] in ("0", "1"), log
    assert found == 4


def test_a_usage_error_stops_before_the_upload(tmp_path: Path) -> None:
    code, _log, outputs = run_steps(
        tmp_path, {"targets": "github:", "fail-on": "any"}, dict(os.environ)
    )
    assert code == 2
    assert outputs["exit-code"] == "2"
