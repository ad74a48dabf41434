from __future__ import annotations

import os
import signal
from datetime import datetime, timezone
from pathlib import Path

from keyguard.commands.keys import DEFAULT_ADMIN_ENV as ADMIN_ENV
from keyguard.rehearsal.klaviyo_standin import KlaviyoStandin
from tests.support.keys import make_key
from tests.support.openbao import Bao
from tests.support.rotation import FAST_FLAGS, Scene, cli_env, make_scene, run_cli
from tests.support.terminal import Terminal


def test_full_interactive_rotation_through_the_terminal(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    scene = make_scene(bao, klaviyo)
    env = cli_env(scene, str(tmp_path))
    term = Terminal(["rotate", "--vault-path", scene.path, *FAST_FLAGS], env)

    term.expect("Paste the new private key")
    assert "create-private-api-key?scopes=accounts:read" in term.text()
    # While this operator is at the prompt, a second operator is refused.
    second = run_cli(["--vault-path", scene.path, "--non-interactive"], env)
    assert second.code == 6
    assert "another keyguard process" in second.stderr
    term.send("pk_not-a-key")  # a bad paste: said why, and asked again
    term.expect("is not a Klaviyo private key")
    term.transcript = term.transcript.replace(b"Paste the new private key", b"(first prompt)")
    term.expect("Paste the new private key")
    term.send(scene.new_key)

    term.expect("Have you disabled the old key?")
    assert scene.vault_versions() == {1: scene.old_key, 2: scene.new_key}
    scene.disable(scene.old_key)
    term.send("y")

    term.expect("Done:")
    assert term.finish() == 0
    assert scene.new_key not in term.text()
    assert scene.custom_metadata()["keyguard_state"] == "DONE"


def test_interactive_stop_at_the_key_prompt_exits_10(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    scene = make_scene(bao, klaviyo)
    term = Terminal(["rotate", "--vault-path", scene.path], cli_env(scene, str(tmp_path)))
    term.expect("Paste the new private key")
    term.send("")
    assert term.finish() == 10
    assert "keyguard rotate resume" in term.text()


def test_rehearsal_on_a_terminal_pauses_at_each_human_step(tmp_path: Path) -> None:
    env = {**os.environ, "HOME": str(tmp_path)}
    term = Terminal(["rotate", "--rehearse"], env)
    for _ in range(2):  # the new key, then disabling the old key
        term.expect("Press Enter to go on")
        term.transcript = term.transcript.replace(b"Press Enter to go on", b"(answered)")
        term.send("")
    term.expect("DONE")
    assert term.finish(timeout=60) == 0
    assert "rehearsal" in term.text()


def test_bad_pastes_are_asked_again_until_a_good_one(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    scene = make_scene(bao, klaviyo)
    other_account = make_key("interactive-other-account")
    klaviyo.add_key(other_account)
    term = Terminal(
        ["rotate", "--vault-path", scene.path, *FAST_FLAGS], cli_env(scene, str(tmp_path))
    )
    for paste in ("not a key", scene.old_key, other_account, "pk_123"):
        term.expect("Paste the new private key")
        term.transcript = term.transcript.replace(b"Paste the new private key", b"(answered)")
        term.send(paste)
    term.expect("Paste the new private key")
    term.send(scene.new_key)
    term.expect("Have you disabled the old key?")
    assert scene.vault_versions() == {1: scene.old_key, 2: scene.new_key}
    term.send("n")
    assert term.finish() == 11


def test_a_refusal_before_any_paste_is_said_once(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    scene = make_scene(bao, klaviyo)
    scene.disable(scene.old_key)  # gate 0: nothing a new paste could fix
    term = Terminal(["rotate", "--vault-path", scene.path], cli_env(scene, str(tmp_path)))
    assert term.finish() == 4
    assert term.text().count("already rejected by Klaviyo") == 1
    assert "Paste the new private key" not in term.text()


def test_sigterm_at_a_prompt_releases_the_lock_as_ctrl_c_does(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    # A CI cancel or a pod stop sends SIGTERM; a lock left behind would block other hosts
    # for the whole lease.
    scene = make_scene(bao, klaviyo)
    term = Terminal(["rotate", "--vault-path", scene.path], cli_env(scene, str(tmp_path)))
    term.expect("Paste the new private key")
    assert [k for k in scene.custom_metadata() if k.startswith("keyguard_lock_")]
    term.proc.send_signal(signal.SIGTERM)
    assert term.finish() == 130
    assert not [k for k in scene.custom_metadata() if k.startswith("keyguard_lock_")]


def _to_the_revoke_question(scene: Scene, env: dict[str, str]) -> Terminal:
    term = Terminal(["rotate", "--vault-path", scene.path, *FAST_FLAGS], env)
    term.expect("Paste the new private key")
    term.send(scene.new_key)
    term.expect("Have you disabled the old key?")
    return term


def test_the_old_key_to_disable_is_named_by_its_last_characters(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    scene = make_scene(bao, klaviyo)
    term = _to_the_revoke_question(scene, cli_env(scene, str(tmp_path)))
    assert f"the key ending in {scene.old_key[-4:]}" in term.text()
    term.send("n")
    assert term.finish() == 11


def test_with_an_admin_key_the_old_key_is_named_as_klaviyo_lists_it(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    created = datetime(2025, 3, 14, 9, 30, tzinfo=timezone.utc)
    scene = make_scene(bao, klaviyo, name="Storefront production", created=created)
    admin = make_key("interactive-admin")
    klaviyo.add_key(admin, account=scene.account, scopes=["credentials:read"])
    env = {**cli_env(scene, str(tmp_path)), ADMIN_ENV: admin}
    term = _to_the_revoke_question(scene, env)
    said = " ".join(term.text().split())
    expected = f"the key ending in {scene.old_key[-4:]}, named 'Storefront production', created"
    assert f"{expected} 2025-03-14" in said
    term.send("n")
    assert term.finish() == 11
    assert admin not in term.text()


def test_the_soak_and_the_revocation_checks_are_shown_on_a_terminal(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    scene = make_scene(bao, klaviyo)
    args = ["rotate", "--vault-path", scene.path, "--soak", "1s"]
    args += ["--poll-interval", "0.1", "--revoke-timeout", "0.5"]
    term = Terminal(args, cli_env(scene, str(tmp_path)))
    term.expect("Paste the new private key")
    term.send(scene.new_key)
    term.expect("Soak: waiting 1s (until ")
    term.expect("Have you disabled the old key?")
    term.send("y")  # not yet, in fact: Klaviyo still accepts it
    term.expect("Klaviyo still accepts the old key; asking again in ")
    assert term.finish() == 4
