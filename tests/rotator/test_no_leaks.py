"""The new key lives in Vault data and process memory only: search everywhere else for it."""

from __future__ import annotations

import sys
from pathlib import Path

from keyguard.rehearsal.klaviyo_standin import KlaviyoStandin
from rotator.audit_log import verify
from tests.support.keys import make_key
from tests.support.openbao import Bao
from tests.support.rotation import FAST_FLAGS, cli_env, make_scene, run_cli

RECORD = (
    "import os,sys; open(os.environ['RUNS'],'a').write("
    "repr(sys.argv) + repr(sorted(os.environ.items())) + '\\n')"
)


def test_new_key_never_leaves_vault(bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path) -> None:
    scene = make_scene(bao, klaviyo)
    home = tmp_path / "home"
    home.mkdir()
    (tmp_path / "keyguard.toml").write_text(
        f'[rotation]\naudit_log = "{tmp_path}/audit.jsonl"\n'
        f'[targets.shop]\nvault_path = "{scene.path}"\nsoak = "0.2s"\n'
        'scopes = ["accounts:read"]\n'
        '[[targets.shop.integrations]]\nname = "reload"\nkind = "command"\n'
        f"command = [{sys.executable!r}, '-c', {RECORD!r}]\n"
        '[[targets.shop.integrations]]\nname = "cdn"\nkind = "manual"\n',
        encoding="utf-8",
    )
    admin = make_key("leak-test-admin")
    klaviyo.add_key(admin, account=scene.account, scopes=["credentials:read"])
    env = {
        **cli_env(scene, str(home)),
        "RUNS": str(tmp_path / "runs"),
        "KEYGUARD_KLAVIYO_ADMIN_KEY": admin,
    }
    args = ["--config", str(tmp_path / "keyguard.toml"), "--target", "shop", "--non-interactive"]
    results = [
        run_cli([*args, *FAST_FLAGS, "--new-key-stdin"], env, stdin=scene.new_key + "\n"),
        run_cli([*args, *FAST_FLAGS, "--confirm", "cdn"], env),
    ]
    assert [r.code for r in results] == [12, 11]
    scene.disable(scene.old_key)
    results.append(run_cli([*args, *FAST_FLAGS, "--confirm-revoked"], env))
    assert results[-1].code == 0, results[-1].stderr
    results.append(run_cli(["status", *args[:4], "--format", "json"], env))

    assert scene.vault_versions()[2] == scene.new_key
    for result in results:
        assert scene.new_key not in result.stdout + result.stderr
        assert admin not in result.stdout + result.stderr
    assert scene.new_key not in repr(scene.custom_metadata())
    runs = (tmp_path / "runs").read_text()
    assert admin not in runs  # keyguard's admin key is not handed on to a consumer either
    assert "KEYGUARD_NEW_VERSION', '2'" in runs
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert tmp_path / "audit.jsonl" in written
    for path in written:
        assert scene.new_key.encode() not in path.read_bytes(), path
    assert verify(tmp_path / "audit.jsonl") == []
    audit = (tmp_path / "audit.jsonl").read_text()
    assert '"event":"done"' in audit
