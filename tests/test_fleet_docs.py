"""docs/fleet.md works as written: its workflow and its Kubernetes Job are valid YAML of
the right shape, and their scripts, run here in order against the forge stand-ins, give
one merged report of the whole organisation."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from keyguard.rehearsal.forge_github import GitHubStandin
from keyguard.rehearsal.git_http import GitHttpServer
from keyguard.rehearsal.klaviyo_standin import KeyState, KlaviyoStandin
from tests.support.forge import serve_repo
from tests.support.keys import make_key

DOC = Path(__file__).resolve().parents[1] / "docs" / "fleet.md"


def yaml_blocks() -> list[dict[str, Any]]:
    blocks = re.findall(r"```yaml\n(.*?)```", DOC.read_text(), flags=re.S)
    return [yaml.safe_load(block) for block in blocks]


def workflow() -> dict[str, Any]:
    (found,) = [b for b in yaml_blocks() if "jobs" in b and "merge" in b["jobs"]]
    return found


def job() -> dict[str, Any]:
    (found,) = [b for b in yaml_blocks() if b.get("kind") == "Job"]
    return found


def step(job_steps: list[dict[str, Any]], name: str) -> str:
    (found,) = [s for s in job_steps if s.get("name", "").startswith(name)]
    script: str = found["run"]
    return script


def bash(
    script: str, cwd: Path, env: dict[str, str], shell: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """*script* as GitHub runs a ``run:`` step (bash -e), or with the *shell* given."""
    bin_dir = str(Path(sys.executable).parent)
    return subprocess.run(
        [*(shell or ("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c")), script],
        cwd=cwd,
        env={**env, "PATH": f"{bin_dir}{os.pathsep}{env['PATH']}"},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_matrix_and_the_indexed_job_have_the_shape_the_engines_want() -> None:
    flow = workflow()
    shards = flow["jobs"]["sweep"]["strategy"]["matrix"]["shard"]
    assert len(shards) <= 256  # GitHub's matrix limit
    sweep_script = step(flow["jobs"]["sweep"]["steps"], "Sweep shard")
    assert f'--shard "$SHARD/{len(shards)}"' in sweep_script
    assert flow["jobs"]["merge"]["needs"] == "sweep"
    spec = job()["spec"]
    assert spec["completionMode"] == "Indexed"
    (container,) = spec["template"]["spec"]["containers"]
    assert f'"$JOB_COMPLETION_INDEX/{spec["completions"]}"' in container["args"][0]


def test_the_workflow_scripts_sweep_and_merge_an_organisation(
    tmp_path: Path,
    git_server: GitHttpServer,
    github_api: GitHubStandin,
    forge_env: dict[str, str],
    klaviyo: KlaviyoStandin,
) -> None:
    for i in range(10):
        key = make_key(f"docs-fleet-{i}")
        serve_repo(git_server, f"acme/r{i}", {"k.txt": f"{key}\n"} if i % 4 == 0 else {"a": "x"})
        github_api.add_repo(f"acme/r{i}")
        klaviyo.add_key(key, state=KeyState.DISABLED)
    env = {
        **os.environ,
        **forge_env,
        "GITHUB_REPOSITORY_OWNER": "acme",
        "KEYGUARD_KLAVIYO_URL": klaviyo.url,
    }
    flow = workflow()
    sweep_script = step(flow["jobs"]["sweep"]["steps"], "Sweep shard")
    for shard in flow["jobs"]["sweep"]["strategy"]["matrix"]["shard"]:
        proc = bash(sweep_script, tmp_path, {**env, "SHARD": str(shard)})
        assert proc.returncode == 0, proc.stderr
    merge_steps = flow["jobs"]["merge"]["steps"]
    merged = bash(step(merge_steps, "Merge the shards"), tmp_path, env)
    assert merged.returncode == 0, merged.stderr
    verdict = bash(step(merge_steps, "Fail on live keys"), tmp_path, env)
    assert verdict.returncode == 0, verdict.stdout + verdict.stderr
    assert "3 keys found, 0 live" in verdict.stdout
    assert (tmp_path / "fleet.sarif").is_file()
    klaviyo.add_key(make_key("docs-fleet-4"))  # now live
    for stale in tmp_path.glob("shard-*.json"):
        stale.unlink()
    for shard in flow["jobs"]["sweep"]["strategy"]["matrix"]["shard"]:
        assert bash(sweep_script, tmp_path, {**env, "SHARD": str(shard)}).returncode == 0
    assert bash(step(merge_steps, "Merge the shards"), tmp_path, env).returncode == 0
    assert bash(step(merge_steps, "Fail on live keys"), tmp_path, env).returncode == 1


def test_the_indexed_job_script_sweeps_each_index_and_merges(
    tmp_path: Path, git_server: GitHttpServer, github_api: GitHubStandin, forge_env: dict[str, str]
) -> None:
    for i in range(5):
        serve_repo(git_server, f"acme/r{i}", {"k.txt": f"{make_key(f'k8s-{i}')}\n"})
        github_api.add_repo(f"acme/r{i}")
    spec = job()["spec"]
    (container,) = spec["template"]["spec"]["containers"]
    work = tmp_path / "work"
    (work / "results").mkdir(parents=True)
    # As written, but the volume mounted where the test can write and no package index.
    script = container["args"][0].replace("/work", str(work))
    script = script.replace("pip install --quiet klaviyo-keyguard", "true")
    env = {**os.environ, **forge_env, "ORG": "acme"}
    for index in range(spec["completions"]):
        index_env = {**env, "JOB_COMPLETION_INDEX": str(index)}
        proc = bash(script, tmp_path, index_env, shell=tuple(container["command"]))
        assert proc.returncode == 0, proc.stderr
    shards = sorted((work / "results").glob("shard-*.json"))
    assert len(shards) == spec["completions"]
    proc = bash(
        f"keyguard merge {work}/results/shard-*.json --format json -o {tmp_path}/fleet.json"
        " || test $? -ne 2",
        tmp_path,
        env,
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "fleet.json").read_text().count('"fingerprint"') == 5
