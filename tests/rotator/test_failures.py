"""Every failure is one clear line, and the rotation resumes from where it stood."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from keyguard.rehearsal.klaviyo_standin import Fault, KlaviyoStandin
from plugins.pattern import fingerprint
from tests.support.openbao import Bao
from tests.support.rotation import CLI, FAST_FLAGS, CliResult, Scene, cli_env, make_scene, run_cli
from tests.support.tcp_proxy import outage_proxy


def _one_line_error(result: CliResult, scene: Scene, code: int = 4) -> str:
    assert result.code == code, (result.code, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("keyguard: error: ")
    assert scene.new_key not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def _args(scene: Scene, *extra: str) -> list[str]:
    return ["--vault-path", scene.path, "--non-interactive", *FAST_FLAGS, *extra]


def _finish(scene: Scene, env: dict[str, str]) -> None:
    assert run_cli(_args(scene, "--new-key-stdin"), env, stdin=scene.new_key).code == 11
    scene.disable(scene.old_key)
    assert run_cli(_args(scene, "--confirm-revoked"), env).code == 0
    assert scene.vault_versions() == {1: scene.old_key, 2: scene.new_key}


def test_vault_down_mid_rotation(bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path) -> None:
    scene = make_scene(bao, klaviyo)
    env = cli_env(scene, str(tmp_path))
    assert run_cli(_args(scene), env).code == 10
    down = {**env, "VAULT_ADDR": "http://127.0.0.1:9"}
    line = _one_line_error(
        run_cli(_args(scene, "--new-key-stdin"), down, stdin=scene.new_key), scene
    )
    assert "cannot reach Vault" in line
    assert scene.custom_metadata()["keyguard_state"] == "AWAITING_NEW_KEY"
    _finish(scene, env)


def test_vault_goes_down_inside_a_running_rotation(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    scene = make_scene(bao, klaviyo)
    with outage_proxy(bao.addr) as proxy:
        env = {**cli_env(scene, str(tmp_path)), "VAULT_ADDR": proxy.addr}
        args = [*_args(scene, "--new-key-stdin"), "--soak", "2s"]
        proc = subprocess.Popen(
            [sys.executable, *CLI, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert proc.stdin is not None
        assert proc.stdout is not None
        proc.stdin.write(scene.new_key + "\n")
        proc.stdin.close()
        # Cut Vault off while the rotation soaks, after the new key is safely in Vault.
        for line in proc.stdout:
            if json.loads(line).get("event") == "integrations_updated":
                proxy.cut()
                break
        assert proc.stderr is not None
        out, err = proc.stdout.read(), proc.stderr.read()
        result = CliResult(proc.wait(timeout=60), out, err)
        proc.stdout.close()
        proc.stderr.close()
        assert "cannot reach Vault" in _one_line_error(result, scene)
        assert scene.custom_metadata()["keyguard_state"] == "INTEGRATIONS_UPDATED"
        proxy.restore()
        assert run_cli(_args(scene), env).code == 11
    scene.disable(scene.old_key)
    assert run_cli(_args(scene, "--confirm-revoked"), cli_env(scene, str(tmp_path))).code == 0
    assert scene.vault_versions() == {1: scene.old_key, 2: scene.new_key}


def test_expired_token(bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path) -> None:
    scene = make_scene(bao, klaviyo)
    env = cli_env(scene, str(tmp_path))
    assert run_cli(_args(scene), env).code == 10
    short = bao.client().auth.token.create(ttl="1s", policies=["root"])["auth"]["client_token"]
    time.sleep(1.5)
    expired = {**env, "VAULT_TOKEN": short}
    line = _one_line_error(
        run_cli(_args(scene, "--new-key-stdin"), expired, stdin=scene.new_key), scene
    )
    assert "token expired" in line
    _finish(scene, env)


def test_kv_v1_mount_is_refused(bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path) -> None:
    scene = make_scene(bao, klaviyo)
    client = bao.client()
    client.sys.enable_secrets_engine("kv", path=bao.mount + "-v1", options={"version": "1"})
    try:
        client.secrets.kv.v1.create_or_update_secret(
            "shop", {"private_key": scene.old_key}, mount_point=bao.mount + "-v1"
        )
        env = cli_env(scene, str(tmp_path))
        result = run_cli(["--vault-path", f"{bao.mount}-v1/shop", "--non-interactive"], env)
        assert "KV version 1" in _one_line_error(result, scene)
    finally:
        client.sys.disable_secrets_engine(bao.mount + "-v1")


def test_missing_capability(bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path) -> None:
    scene = make_scene(bao, klaviyo)
    client = bao.client()
    mount, _, rel = scene.path.partition("/")
    policy = (
        f'path "{mount}/data/{rel}" {{ capabilities = ["read"] }}\n'
        f'path "{mount}/metadata/{rel}" {{ capabilities = ["read", "patch"] }}\n'
    )
    client.sys.create_or_update_policy(name=f"ro-{mount}", policy=policy)
    token = client.auth.token.create(policies=[f"ro-{mount}"], ttl="1h")["auth"]["client_token"]
    env = {**cli_env(scene, str(tmp_path)), "VAULT_TOKEN": token}
    line = _one_line_error(run_cli(_args(scene), env), scene)
    assert "lacks update" in line
    assert scene.custom_metadata()["keyguard_state"] == "PREFLIGHT"
    _finish(scene, cli_env(scene, str(tmp_path)))


@pytest.mark.parametrize("status", [429, 503])
def test_klaviyo_unavailable_at_gate_one(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path, status: int
) -> None:
    scene = make_scene(bao, klaviyo)
    env = cli_env(scene, str(tmp_path))
    assert run_cli(_args(scene), env).code == 10
    klaviyo.inject(Fault.error(status), times=None, fingerprint=fingerprint(scene.new_key))
    result = run_cli(_args(scene, "--new-key-stdin"), env, stdin=scene.new_key)
    assert "Klaviyo gave no usable answer" in _one_line_error(result, scene)
    assert scene.vault_versions() == {1: scene.old_key}
    assert "Klaviyo gave no usable answer" in scene.custom_metadata()["keyguard_error"]
    klaviyo.faults.clear()
    _finish(scene, env)
    assert "keyguard_error" not in scene.custom_metadata()


def test_wrong_key_disabled_is_caught(bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path) -> None:
    scene = make_scene(bao, klaviyo)
    env = cli_env(scene, str(tmp_path))
    assert run_cli(_args(scene, "--new-key-stdin"), env, stdin=scene.new_key).code == 11
    scene.disable(scene.new_key)
    result = run_cli(_args(scene, "--confirm-revoked"), env)
    assert "wrong key was disabled" in _one_line_error(result, scene)
    klaviyo.set_status(fingerprint(scene.new_key), "active")
    scene.disable(scene.old_key)
    assert run_cli(["resume", *_args(scene)], env).code == 0


def test_preflight_refuses_no_version_headroom_and_a_short_token(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    scene = make_scene(bao, klaviyo)
    mount, _, rel = scene.path.partition("/")
    client = bao.client()
    client.secrets.kv.v2.update_metadata(rel, max_versions=1, mount_point=mount)
    env = cli_env(scene, str(tmp_path))
    line = _one_line_error(run_cli(_args(scene), env), scene)
    assert "keeps only 1 version" in line

    client.secrets.kv.v2.update_metadata(rel, max_versions=5, mount_point=mount)
    short = client.auth.token.create(ttl="60s", policies=["root"])["auth"]["client_token"]
    line = _one_line_error(run_cli(_args(scene), {**env, "VAULT_TOKEN": short}), scene)
    assert "expires in" in line
    assert run_cli(_args(scene), env).code == 10
