from __future__ import annotations

import json
import subprocess
from pathlib import Path

from keyguard.rehearsal.klaviyo_standin import KlaviyoStandin
from keyguard.rehearsal.openbao import find_bao
from tests.support.keys import make_key
from tests.support.openbao import Bao
from tests.support.rotation import FAST_FLAGS, cli_env, make_scene, run_cli, run_cli_process


def test_full_non_interactive_rotation(bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path) -> None:
    scene = make_scene(bao, klaviyo)
    env = cli_env(scene, str(tmp_path))
    base = ["--vault-path", scene.path, "--non-interactive", *FAST_FLAGS]

    first = run_cli(base, env)
    assert first.code == 10, first.stderr
    second = run_cli([*base, "--new-key-stdin"], env, stdin=scene.new_key + "\n")
    assert second.code == 11, second.stderr
    scene.disable(scene.old_key)
    third = run_cli([*base, "--confirm-revoked"], env)
    assert third.code == 0, third.stderr
    assert third.events()[-1]["result"] == "DONE"

    status = run_cli(["status", "--vault-path", scene.path, "--format", "json"], env)
    record = json.loads(status.stdout)
    assert record["state"] == "DONE"
    assert record["base_version"] == 1
    assert record["new_version"] == 2

    mount, _, rel = scene.path.partition("/")
    got = subprocess.run(
        [find_bao(), "kv", "get", "-format=json", f"-mount={mount}", rel],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert json.loads(got.stdout)["data"]["data"]["private_key"] == scene.new_key
    everything = first.stdout + first.stderr + second.stdout + second.stderr + third.stdout
    assert scene.new_key not in everything + third.stderr + status.stdout


def test_a_descriptor_that_is_not_open_is_a_usage_error(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    scene = make_scene(bao, klaviyo)
    env = cli_env(scene, str(tmp_path))
    for flag in ("--new-key-fd", "--admin-key-fd"):
        # A child process: in the test process, descriptor 77 may well be open.
        result = run_cli_process(["--vault-path", scene.path, "--non-interactive", flag, "77"], env)
        assert result.code == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert "descriptor 77" in result.stderr


def test_a_malformed_key_on_stdin_is_not_told_to_paste(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    scene = make_scene(bao, klaviyo)
    env = cli_env(scene, str(tmp_path))
    args = ["--vault-path", scene.path, "--non-interactive", "--new-key-stdin"]
    result = run_cli(args, env, stdin="pk_truncated\n")
    assert result.code == 2, result.stderr  # a mistake in the input, not a failed step
    assert result.stderr.count("\n") == 1, result.stderr
    assert "is not a Klaviyo private key" in result.stderr
    assert "paste" not in result.stderr
    assert len(klaviyo.log.entries()) == 1  # the old key's check only: nothing sent for it
    fixed = run_cli(args, env, stdin=scene.new_key + "\n")
    assert fixed.code == 11, fixed.stderr


def test_a_second_operators_different_new_key_is_reported_not_dropped(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    scene = make_scene(bao, klaviyo)
    key_b = make_key("second-operator-b")
    klaviyo.add_key(key_b, account=scene.account)  # created by a second operator, live
    env = cli_env(scene, str(tmp_path))
    base = ["--vault-path", scene.path, "--non-interactive", *FAST_FLAGS, "--new-key-stdin"]
    assert run_cli(base, env, stdin=scene.new_key + "\n").code == 11
    same = run_cli(base, env, stdin=scene.new_key + "\n")  # the same key again: no news
    assert same.code == 11, same.stderr
    assert "not used" not in same.stderr

    other = run_cli(base, env, stdin=key_b + "\n")
    assert other.code == 4, other.stderr
    redacted_b = f"pk_…{key_b[-4:]}"
    assert redacted_b in other.stderr
    assert "disable" in other.stderr
    assert "not used" in other.stderr
    (event,) = [e for e in other.events() if e.get("event") == "new_key_unused"]
    assert event["unused_key"] == redacted_b
    assert key_b not in other.stdout + other.stderr
    assert scene.vault_versions() == {1: scene.old_key, 2: scene.new_key}


def test_no_wait_is_silent_without_a_terminal(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    scene = make_scene(bao, klaviyo)
    env = cli_env(scene, str(tmp_path))
    base = ["--vault-path", scene.path, "--non-interactive", "--soak", "1s"]
    base += ["--poll-interval", "0.1", "--revoke-timeout", "0.5"]
    assert run_cli(base, env).code == 10
    soaked = run_cli([*base, "--new-key-stdin"], env, stdin=scene.new_key + "\n")
    assert soaked.code == 11, soaked.stderr
    (soak,) = [e for e in soaked.events() if e.get("event") == "waiting"]
    assert soak["why"] == "soak"
    assert 0 < float(str(soak["seconds"])) <= 1
    # "Disabled", says the operator, but Klaviyo still takes the old key: each pause is told.
    early = run_cli([*base, "--confirm-revoked"], env)
    assert early.code == 4, early.stderr
    polls = [e for e in early.events() if e.get("event") == "waiting"]
    assert polls
    assert {e["why"] for e in polls} == {"revocation"}
