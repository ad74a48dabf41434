"""Where a rotation stands, as `status`, `history` and a resumed run tell it."""

from __future__ import annotations

import json
from pathlib import Path

from keyguard.rehearsal.klaviyo_standin import KlaviyoStandin
from tests.support.openbao import Bao
from tests.support.rotation import FAST_FLAGS, Scene, cli_env, make_scene, run_cli
from tests.support.terminal import Terminal


def _configured(scene: Scene, tmp_path: Path) -> Path:
    (tmp_path / "keyguard.toml").write_text(
        f'[rotation]\naudit_log = "audit/rotations.jsonl"\n'
        f'[targets.shop]\nvault_path = "{scene.path}"\n'
        '[[targets.shop.integrations]]\nname = "cdn"\nkind = "manual"\n'
        '[[targets.shop.integrations]]\nname = "web"\nkind = "manual"\n',
        encoding="utf-8",
    )
    return tmp_path


def _at_integrations(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> tuple[Scene, dict[str, str]]:
    scene = make_scene(bao, klaviyo)
    env = cli_env(scene, str(tmp_path))
    _configured(scene, tmp_path)
    args = ["--non-interactive", "--new-key-stdin", *FAST_FLAGS]
    assert run_cli(args, env, stdin=scene.new_key + "\n", cwd=tmp_path).code == 12
    one = run_cli(["--non-interactive", "--confirm", "cdn", *FAST_FLAGS], env, cwd=tmp_path)
    assert one.code == 12, one.stderr
    return scene, env


def test_history_reads_the_configured_audit_log(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    scene, env = _at_integrations(bao, klaviyo, tmp_path)
    assert (tmp_path / "audit" / "rotations.jsonl").is_file()
    shown = run_cli(["history"], env, cwd=tmp_path)
    assert shown.code == 0, shown.stderr
    assert {r["vault_path"] for r in json.loads(shown.stdout)} == {scene.path}
    assert run_cli(["history", "--verify"], env, cwd=tmp_path).code == 0


def test_status_points_at_the_step_to_do_and_names_the_integrations_done(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    _, env = _at_integrations(bao, klaviyo, tmp_path)
    status = run_cli(["status"], {**env, "COLUMNS": "200"}, cwd=tmp_path)
    assert status.code == 0, status.stderr
    rows = {line.split()[1]: line for line in status.stdout.splitlines() if line[:1] in "✓→·"}
    assert rows["Vault"].startswith("✓")  # finished: not where the arrow is
    assert rows["Integrations"].startswith("→")
    assert "cdn ✓, web (to do)" in rows["Integrations"]


def test_a_resumed_run_shows_where_it_stands_before_asking(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    _, env = _at_integrations(bao, klaviyo, tmp_path)
    term = Terminal(["rotate", "resume", "--config", str(tmp_path / "keyguard.toml")], env)
    term.expect("Does it use the new key now?")
    before = term.text().split("Integration 'web'")[0]
    assert "Rotation of shop" in before
    assert "cdn ✓, web (to do)" in before
    assert "(Vault version 2)" in term.text()
    term.send("n")
    assert term.finish() == 12
