"""Every `keyguard rotate …` hint runs as printed: each test pastes the one it was given."""

from __future__ import annotations

import json
import socket
from pathlib import Path

from keyguard.rehearsal.klaviyo_standin import KlaviyoStandin
from tests.support.openbao import Bao
from tests.support.rotation import FAST_FLAGS, cli_env, make_scene, paste, run_cli
from tests.support.terminal import Terminal


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_one_configured_target_needs_no_target(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    scene = make_scene(bao, klaviyo)
    env = cli_env(scene, str(tmp_path))
    (tmp_path / "keyguard.toml").write_text(
        f'[targets.storefront]\nvault_path = "{scene.path}"\n', encoding="utf-8"
    )
    started = run_cli(["--non-interactive", *FAST_FLAGS], env, cwd=tmp_path)
    assert started.code == 10, started.stderr
    status = run_cli(["status", "--format", "json"], env, cwd=tmp_path)
    assert status.code == 0, status.stderr
    assert json.loads(status.stdout)["state"] == "AWAITING_NEW_KEY"


def test_vault_failures_before_a_rotation_hint_a_command_that_runs(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    broken_env = (
        {"VAULT_TOKEN": "not-a-token"},
        {"VAULT_ADDR": f"http://127.0.0.1:{_closed_port()}"},
    )
    for i, broken in enumerate(broken_env):
        scene = make_scene(bao, klaviyo, label=f"shop{i}")
        env = cli_env(scene, str(tmp_path))
        args = ["--vault-path", scene.path, "--non-interactive", *FAST_FLAGS]
        failed = run_cli(args, {**env, **broken})
        assert failed.code not in (0, 2), failed.stderr
        assert scene.custom_metadata() == {}  # no rotation exists, so "resume" would fail
        pasted = paste(failed.stderr, env)
        assert pasted.code == 10, (failed.stderr, pasted.stderr)


def test_stopping_at_the_prompt_hints_a_resume_that_runs(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    scene = make_scene(bao, klaviyo)
    env = cli_env(scene, str(tmp_path))
    term = Terminal(["rotate", "--vault-path", scene.path, *FAST_FLAGS], env)
    term.expect("Paste the new private key")
    term.send("")
    assert term.finish() == 10
    pasted = paste(term.text(), env)
    assert pasted.code == 10, pasted.stderr


def test_ctrl_c_says_stopped_not_aborted_and_the_hint_runs(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    scene = make_scene(bao, klaviyo)
    env = cli_env(scene, str(tmp_path))
    term = Terminal(["rotate", "--vault-path", scene.path, *FAST_FLAGS], env)
    term.expect("Paste the new private key")
    term.transcript = b""
    term.send("\x03")
    term.expect("Stopped here")
    assert term.finish() == 130
    assert "aborted" not in term.text()
    assert scene.custom_metadata()["keyguard_state"] != "ABORTED"
    pasted = paste(term.text(), env, cwd=tmp_path)
    assert pasted.code == 10, pasted.stderr  # resumed: the lock was released, not left behind
