"""``keyguard triage --purge-plan FILE``: run the plan as printed on a mirror of a real
repository, then sweep the rewrite."""

from __future__ import annotations

import base64
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from keyguard.rehearsal.klaviyo_standin import KlaviyoStandin
from keyguard.triage.purge import REPLACEMENT
from plugins.pattern import fingerprint
from tests.support.git import commit_file, git, git_env
from tests.support.openbao import Bao
from tests.support.triage import build_scene


def test_the_plan_rewrites_every_key_by_pattern_and_names_the_refs_left(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    scene = build_scene(tmp_path, bao, klaviyo)
    git(scene.repo, "tag", "v1.0")
    hidden = scene.keys["revoked_gone"]
    commit_file(scene.repo, "blob.b64", base64.b64encode(f"k={hidden};".encode()).decode())
    report = scene.sweep()
    expressions = tmp_path / "purge.txt"
    run = scene.triage(report, "--no-verify", "--format", "json", "--purge-plan", expressions)
    plan = run.json()["purge_plan"]

    text = expressions.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert len(lines) == 8  # one per key seen in the repository
    assert all(line.startswith("regex:") and line.endswith("==>" + REPLACEMENT) for line in lines)
    assert not re.search(r"[0-9a-f]{8}", text)  # no key, nor a run of one, only its last four
    assert "Rotation is the fix" in plan["warning"]
    assert "forks" in plan["warning"].lower()
    held = {h["fingerprint"]: h for h in plan["held"]}
    assert held[fingerprint(scene.keys["pull"])]["pull_refs"] == ["refs/pull/7/head"]
    assert held[fingerprint(scene.keys["current"])]["tags"] == ["refs/tags/v1.0"]
    assert held[fingerprint(scene.keys["current"])]["refs"] == ["refs/heads/main"]
    (encoded,) = plan["encoded"]
    assert encoded["encoding"] == "base64"

    (repository,) = plan["repositories"]
    assert repository["repository"] == str(scene.repo)
    clone, rewrite = repository["commands"][:2]  # the pushes need the team's remote
    env = {**git_env(), "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for command in (clone, rewrite):
        subprocess.run(shlex.split(command), cwd=tmp_path, env=env, check=True, capture_output=True)
    mirror = tmp_path / "shop.purge.git"
    swept = scene.keyguard("sweep", mirror, "--format", "json")
    remaining = {f["fingerprint"] for f in swept.json()["findings"]}
    assert remaining == {fingerprint(hidden)}  # only the base64-encoded one, as the plan said
    assert REPLACEMENT in git(mirror, "show", "main:config/settings.py")

    console = scene.triage(report, "--no-verify", "--purge-plan", expressions)
    assert "History clean-up plan" in console.stdout
    assert "only the hosting service can drop these" in console.stdout
    assert not any(key in run.stdout + console.stdout + text for key in scene.leaks())
