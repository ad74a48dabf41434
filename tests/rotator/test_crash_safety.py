"""SIGKILL after every side effect of a rotation, then resume: one new version, a sound journal."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from keyguard.rehearsal.klaviyo_standin import KlaviyoStandin
from tests.support.openbao import Bao
from tests.support.rotation import FAST_FLAGS, Scene, cli_env, make_scene, run_cli

HARNESS = str(Path(__file__).parents[1] / "support" / "crash_cli.py")
RECORD = (
    "import os,sys; open(os.environ['RUNS'],'a').write("
    "' '.join(sys.argv) + '|' + repr(sorted(os.environ.items())) + '\\n')"
)


def _config(tmp: Path, scene: Scene) -> Path:
    cfg = tmp / "keyguard.toml"
    cfg.write_text(
        f'[targets.shop]\nvault_path = "{scene.path}"\n'
        "[[targets.shop.integrations]]\n"
        'name = "reload"\nkind = "command"\n'
        f"command = [{sys.executable!r}, '-c', {RECORD!r}]\n",
        encoding="utf-8",
    )
    return cfg


def _harness(args: list[str], env: dict[str, str], stdin: str, crash_after: int, cwd: Path) -> int:
    env = {**env, "CRASH_AFTER": str(crash_after), "CRASH_COUNT_FILE": str(cwd / "count")}
    done = subprocess.run(
        [sys.executable, HARNESS, "rotate", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,
        check=False,
    )
    return done.returncode


def _resume(args: list[str], env: dict[str, str], stdin: str, cwd: Path) -> int:
    """A run that is not killed: the plain command, in the test process (only the runs
    that count side effects or die need the harness's child process)."""
    return run_cli(args, env, stdin=stdin, cwd=cwd).code


def _assert_done(scene: Scene, runs: Path, point: str) -> None:
    assert scene.vault_versions() == {1: scene.old_key, 2: scene.new_key}, point
    custom = scene.custom_metadata()
    assert custom["keyguard_state"] == "DONE", point
    assert custom["keyguard_new_version"] == "2", point
    assert "keyguard_intent" not in custom, point
    assert not [k for k in custom if k.startswith("keyguard_lock_")], point
    assert scene.new_key not in repr(custom), point
    assert runs.read_text().count("\n") >= 1, point
    assert scene.new_key not in runs.read_text(), point


def _crash_everywhere(bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path, phase: str) -> int:
    points = None
    index = 0
    while points is None or index <= points:
        work = tmp_path / f"{phase}-{index}"
        work.mkdir()
        scene = make_scene(bao, klaviyo, label=f"{phase}{index}")
        _config(work, scene)
        env = {**cli_env(scene, str(work)), "RUNS": str(work / "runs")}
        first = ["--target", "shop", "--non-interactive", "--new-key-stdin", *FAST_FLAGS]
        second = [
            "resume",
            "--target",
            "shop",
            "--non-interactive",
            "--confirm-revoked",
            *FAST_FLAGS,
        ]
        key = scene.new_key + "\n"
        point = f"{phase} side effect {index}"
        if phase == "before-revoke":
            code = _harness(first, env, key, index, work)
            if index == 0:
                points = int((work / "count").read_text())
                assert code == 11, point
            else:
                assert code == -9, point
                # Running the same command again continues the journalled rotation.
                assert _resume(first, env, key, work) == 11, point
            scene.disable(scene.old_key)
            assert _resume(second, env, "", work) == 0, point
        else:
            assert _resume(first, env, key, work) == 11, point
            scene.disable(scene.old_key)
            code = _harness(second, env, "", index, work)
            if index == 0:
                points = int((work / "count").read_text())
                assert code == 0, point
            else:
                assert code == -9, point
                assert _resume(second, env, "", work) == 0, point
        _assert_done(scene, work / "runs", point)
        index += 1
    return points


def test_crash_at_every_point_before_revoke(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    # Lock, journal start, preflight, intent, data write, commit, integration, ... each one.
    assert _crash_everywhere(bao, klaviyo, tmp_path, "before-revoke") >= 10


def test_crash_at_every_point_after_revoke(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    assert _crash_everywhere(bao, klaviyo, tmp_path, "after-revoke") >= 3


def test_crash_between_data_write_and_journal_is_settled_from_vault(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    scene = make_scene(bao, klaviyo)
    env = {**cli_env(scene, str(tmp_path)), "CRASH_AT_CALL": "write"}
    args = ["--vault-path", scene.path, "--non-interactive", "--new-key-stdin", *FAST_FLAGS]
    killed = subprocess.run(
        [sys.executable, HARNESS, "rotate", *args],
        input=scene.new_key + "\n",
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert killed.returncode == -9

    status = run_cli(["status", "--vault-path", scene.path, "--format", "json"], env)
    record = json.loads(status.stdout)
    assert (record["state"], record["intent"]) == ("AWAITING_NEW_KEY", "write")
    assert scene.vault_versions() == {1: scene.old_key, 2: scene.new_key}

    # No key on resume: Vault alone proves the write landed, so it goes on to the revoke step.
    resumed = run_cli(["resume", "--vault-path", scene.path, "--non-interactive", *FAST_FLAGS], env)
    assert resumed.code == 11, resumed.stderr
    assert "reconciled" in [e.get("event") for e in resumed.events()]
    assert scene.custom_metadata()["keyguard_new_version"] == "2"
