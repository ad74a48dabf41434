"""plan, status --all, dry-run, rollback, abort, rehearse and --disable-old-key-via-api."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from keyguard.rehearsal.klaviyo_standin import KlaviyoStandin
from plugins.pattern import fingerprint
from tests.support.keys import make_key
from tests.support.openbao import Bao
from tests.support.rotation import CLI, FAST_FLAGS, CliResult, cli_env, make_scene, run_cli


def test_plan_is_markdown_with_the_create_link(tmp_path: Path) -> None:
    cfg = tmp_path / "keyguard.toml"
    cfg.write_text(
        '[targets.shop]\nvault_path = "secret/klaviyo/shop"\nscopes = ["events:write"]\n'
        '[[targets.shop.integrations]]\nname = "cdn"\nkind = "manual"\n'
    )
    result = run_cli(["plan", "--config", str(cfg), "--target", "shop"], dict(os.environ))
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("# Rotating the Klaviyo private key of `shop`")
    assert "create-private-api-key?scopes=accounts:read,events:write" in result.stdout
    assert "- `cdn` (manual)" in result.stdout


def test_dry_run_checks_everything_and_writes_nothing(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    scene = make_scene(bao, klaviyo)
    env = cli_env(scene, str(tmp_path))
    result = run_cli(
        ["--vault-path", scene.path, "--dry-run", "--new-key-stdin"], env, stdin=scene.new_key
    )
    assert result.code == 0, result.stderr
    assert "the new key is well-formed, different, live, same account" in result.stderr
    assert scene.custom_metadata() == {}
    assert scene.vault_versions() == {1: scene.old_key}


def test_abort_before_the_write_and_rollback_after_it(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    scene = make_scene(bao, klaviyo)
    env = cli_env(scene, str(tmp_path))
    args = ["--vault-path", scene.path, "--non-interactive", *FAST_FLAGS]
    assert run_cli(args, env).code == 10
    assert run_cli(["abort", "--vault-path", scene.path], env).code == 0
    assert scene.custom_metadata()["keyguard_state"] == "ABORTED"
    assert run_cli(["abort", "--vault-path", scene.path], env).code == 0  # done work

    assert run_cli([*args, "--new-key-stdin"], env, stdin=scene.new_key).code == 11
    refused = run_cli(["abort", "--vault-path", scene.path], env)
    assert refused.code == 4
    assert "use rollback" in refused.stderr
    assert run_cli(["rollback", "--vault-path", scene.path], env).code == 0
    assert scene.vault_versions() == {1: scene.old_key, 2: scene.new_key, 3: scene.old_key}
    assert scene.custom_metadata()["keyguard_state"] == "ROLLED_BACK"
    # Re-run after it completed (a retried CI job): done work is exit 0, as for resume.
    again = run_cli(["rollback", "--vault-path", scene.path], env)
    assert again.code == 0, again.stderr
    assert "ROLLED_BACK" in again.stderr
    assert scene.vault_versions() == {1: scene.old_key, 2: scene.new_key, 3: scene.old_key}


def test_rollback_after_the_old_key_died_is_refused(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    scene = make_scene(bao, klaviyo)
    env = cli_env(scene, str(tmp_path))
    args = ["--vault-path", scene.path, "--non-interactive", *FAST_FLAGS, "--new-key-stdin"]
    assert run_cli(args, env, stdin=scene.new_key).code == 11
    scene.disable(scene.old_key)
    refused = run_cli(["rollback", "--vault-path", scene.path], env)
    assert refused.code == 4
    assert "already disabled" in refused.stderr
    assert scene.vault_versions() == {1: scene.old_key, 2: scene.new_key}


def test_status_all_flags_overdue_targets(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    fresh, stale = make_scene(bao, klaviyo, "fresh"), make_scene(bao, klaviyo, "stale")
    env = cli_env(fresh, str(tmp_path))
    args = ["--vault-path", fresh.path, "--non-interactive", *FAST_FLAGS]
    assert run_cli([*args, "--new-key-stdin"], env, stdin=fresh.new_key).code == 11
    fresh.disable(fresh.old_key)
    assert run_cli([*args, "--confirm-revoked"], env).code == 0
    cfg = tmp_path / "keyguard.toml"
    cfg.write_text(
        f'[targets.fresh]\nvault_path = "{fresh.path}"\n'
        f'[targets.stale]\nvault_path = "{stale.path}"\n'
    )
    common = ["status", "--all", "--config", str(cfg), "--format", "json", "--max-age", "90d"]
    result = run_cli(common, env)
    assert result.code == 1
    rows = {r["target"]: r for r in json.loads(result.stdout)["targets"]}
    assert (rows["fresh"]["overdue"], rows["stale"]["overdue"]) == (False, True)
    assert rows["fresh"]["state"] == "DONE"
    cfg.write_text(f'[targets.fresh]\nvault_path = "{fresh.path}"\n')
    assert run_cli(common, env).code == 0


def test_rehearsal_runs_the_whole_runbook(tmp_path: Path) -> None:
    env = {**os.environ, "HOME": str(tmp_path)}
    result = run_cli(["--rehearse", "--non-interactive"], env, timeout=120)
    assert result.code == 0, result.stderr
    kinds = [json.loads(line).get("event") for line in result.stdout.splitlines()]
    assert kinds[0] == "started"
    assert "vault_updated" in kinds
    assert kinds[-2:] == ["done", None]
    assert json.loads(result.stdout.splitlines()[-1])["result"] == "DONE"


def test_disable_old_key_via_api(bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path) -> None:
    scene = make_scene(bao, klaviyo)
    admin = make_key("admin-key")
    klaviyo.add_key(admin, account=scene.account, scopes=["credentials:read", "credentials:write"])
    env = cli_env(scene, str(tmp_path))
    read_end, write_end = os.pipe()
    os.write(write_end, (admin + "\n").encode())
    os.close(write_end)
    done = subprocess.run(
        [
            sys.executable,
            *CLI,
            "--vault-path",
            scene.path,
            "--non-interactive",
            *FAST_FLAGS,
            "--new-key-stdin",
            "--disable-old-key-via-api",
            "--admin-key-fd",
            str(read_end),
        ],
        input=scene.new_key,
        capture_output=True,
        text=True,
        env=env,
        pass_fds=(read_end,),
        check=False,
    )
    os.close(read_end)
    assert done.returncode == 0, done.stderr
    assert admin not in done.stdout + done.stderr
    assert scene.custom_metadata()["keyguard_state"] == "DONE"
    from plugins.pattern import fingerprint

    record = klaviyo.key(fingerprint(scene.old_key))
    assert record is not None
    assert record.status == "disabled"


def test_history_prints_and_verifies_the_audit_log(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    scene = make_scene(bao, klaviyo)
    env = cli_env(scene, str(tmp_path))
    assert run_cli(["--vault-path", scene.path, "--non-interactive"], env).code == 10
    shown = run_cli(["history"], env)
    assert shown.code == 0, shown.stderr
    assert [r["event"] for r in json.loads(shown.stdout)] == ["started", "preflight_passed"]
    assert run_cli(["history", "--verify"], env).code == 0
    log = tmp_path / "state" / "keyguard" / "rotations.jsonl"
    log.write_text(log.read_text().replace("preflight_passed", "preflight_faked", 1))
    log.write_text(log.read_text().replace("started", "begun", 1))
    broken = run_cli(["history", "--verify"], env)
    assert broken.code == 1
    assert "chain broken" in broken.stderr


def test_missing_secret_is_one_clear_line(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    scene = make_scene(bao, klaviyo)
    result = run_cli(
        ["--vault-path", bao.path("klaviyo/nothing-here"), "--non-interactive"],
        cli_env(scene, str(tmp_path)),
    )
    assert result.code == 4
    assert result.stderr.strip().endswith("store the current key there first (bao kv put ...)")


def _run_with_admin(args: list[str], env: dict[str, str], stdin: str, admin: str) -> CliResult:
    read_end, write_end = os.pipe()
    os.write(write_end, (admin + "\n").encode())
    os.close(write_end)
    done = subprocess.run(
        [sys.executable, *CLI, *args, "--admin-key-fd", str(read_end)],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        pass_fds=(read_end,),
        check=False,
    )
    os.close(read_end)
    return CliResult(done.returncode, done.stdout, done.stderr)


def test_required_scopes_are_checked_with_an_admin_key(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    scene = make_scene(bao, klaviyo)
    narrow = make_key("narrow-scopes")
    klaviyo.add_key(narrow, account=scene.account, scopes=["accounts:read"])
    admin = make_key("admin-for-scopes")
    klaviyo.add_key(admin, account=scene.account, scopes=["credentials:read"])
    cfg = tmp_path / "keyguard.toml"
    cfg.write_text(
        f'[targets.shop]\nvault_path = "{scene.path}"\nscopes = ["accounts:read", "events:write"]\n'
    )
    env = cli_env(scene, str(tmp_path))
    args = ["--config", str(cfg), "--target", "shop", "--non-interactive", "--new-key-stdin"]
    refused = _run_with_admin(args, env, narrow, admin)
    assert refused.code == 4
    assert "lacks the scopes events:write" in refused.stderr
    assert scene.vault_versions() == {1: scene.old_key}

    unverified = run_cli(args, env, stdin=narrow)
    assert unverified.code == 11
    assert "scopes_unverified" in [e.get("event") for e in unverified.events()]


def test_disable_via_api_still_acts_after_a_premature_confirm_revoked(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    # The operator said "disabled" too soon; gate 3 caught it. Asking keyguard to disable
    # the old key through the API must then do it, not trust the earlier word again.
    scene = make_scene(bao, klaviyo)
    admin = make_key("admin-after-confirm")
    klaviyo.add_key(admin, account=scene.account, scopes=["credentials:read", "credentials:write"])
    env = cli_env(scene, str(tmp_path))
    quick = ["--vault-path", scene.path, "--poll-interval", "0.05", "--revoke-timeout", "0.5"]
    early = run_cli(
        [*quick, "--non-interactive", "--new-key-stdin", "--confirm-revoked"],
        env,
        stdin=scene.new_key,
    )
    assert early.code == 4, early.stderr
    assert "still works" in early.stderr
    fixed = run_cli(
        ["resume", *quick, "--non-interactive", "--disable-old-key-via-api"],
        {**env, "KEYGUARD_KLAVIYO_ADMIN_KEY": admin},
    )
    assert fixed.code == 0, fixed.stderr
    assert scene.custom_metadata()["keyguard_state"] == "DONE"
    record = klaviyo.key(fingerprint(scene.old_key))
    assert record is not None
    assert record.status == "disabled"


def test_status_of_a_secret_that_does_not_exist_says_so(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    # A typo in --vault-path must not look like "no rotation yet, all fine".
    scene = make_scene(bao, klaviyo)
    env = cli_env(scene, str(tmp_path))
    missing = scene.path + "-typo"
    for fmt in ("text", "json"):
        result = run_cli(["status", "--vault-path", missing, "--format", fmt], env)
        assert result.code == 2, result.stderr
        assert f"no secret at {missing}" in result.stderr
        assert result.stdout == ""
    assert run_cli(["status", "--vault-path", scene.path], env).code == 0


def test_confirming_an_integration_the_target_does_not_have_is_refused(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    # A typo in --confirm would otherwise leave the rotation waiting (exit 12) with no hint.
    scene = make_scene(bao, klaviyo)
    cfg = tmp_path / "keyguard.toml"
    cfg.write_text(
        f'[targets.shop]\nvault_path = "{scene.path}"\n'
        '[[targets.shop.integrations]]\nname = "cdn"\nkind = "manual"\n'
    )
    env = cli_env(scene, str(tmp_path))
    common = ["--config", str(cfg), "--target", "shop", "--non-interactive"]
    result = run_cli([*common, "--confirm", "cnd"], env)
    assert result.code == 2, result.stderr
    assert "--confirm cnd" in result.stderr
    assert "cdn" in result.stderr.split("--confirm cnd", 1)[1]
    assert scene.custom_metadata().get("keyguard_state") is None  # refused before starting
    assert run_cli([*common, "--confirm", "cdn"], env).code == 10
