from __future__ import annotations

import os
import signal
from pathlib import Path

from plugins.klaviyo_standin import KlaviyoStandin
from tests.support.keys import make_key
from tests.support.openbao import Bao
from tests.support.rotation import FAST_FLAGS, cli_env, make_scene, run_cli
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
