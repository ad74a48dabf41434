from __future__ import annotations

import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest

from keyguard.rehearsal.klaviyo_standin import KlaviyoStandin
from rotator.errors import LockedError
from rotator.lock import Lock, Owner
from rotator.vault import VaultStore
from tests.support.openbao import Bao
from tests.support.rotation import cli_env, make_scene, run_cli


def _now() -> datetime:
    return datetime.now(timezone.utc)


def test_racing_contenders_never_both_win(bao: Bao, klaviyo: KlaviyoStandin) -> None:
    scene = make_scene(bao, klaviyo)

    def contend(barrier: threading.Barrier, won: list[Lock]) -> None:
        lock = Lock(VaultStore(bao.client(), scene.path), Owner(), now=_now)
        barrier.wait()
        try:
            lock.acquire()
        except LockedError:
            return
        won.append(lock)

    for _ in range(10):
        barrier = threading.Barrier(4)
        won: list[Lock] = []
        threads = [threading.Thread(target=contend, args=(barrier, won)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(won) <= 1
        for lock in won:
            lock.release()
    assert not [k for k in scene.custom_metadata() if k.startswith("keyguard_lock_")]
    # Losers withdraw their claims: a lone contender afterwards gets the lock.
    solo = Lock(VaultStore(bao.client(), scene.path), Owner(), now=_now)
    solo.acquire()
    assert solo.held


def test_a_live_claim_from_another_host_needs_break_lock(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    scene = make_scene(bao, klaviyo)
    store = VaultStore(bao.client(), scene.path)
    store.patch_custom({"keyguard_lock_elsewhere": f"build-7|4242|{_now().isoformat()}"})
    env = cli_env(scene, str(tmp_path))
    args = ["--vault-path", scene.path, "--non-interactive"]
    refused = run_cli(args, env)
    assert refused.code == 6
    assert "build-7 pid 4242" in refused.stderr
    assert run_cli([*args, "--break-lock"], env).code == 10
    assert "keyguard_lock_elsewhere" not in scene.custom_metadata()


def test_release_is_idempotent_and_renew_refreshes(bao: Bao, klaviyo: KlaviyoStandin) -> None:
    scene = make_scene(bao, klaviyo)
    owner = Owner()
    lock = Lock(VaultStore(bao.client(), scene.path), owner, now=_now)
    lock.acquire()
    assert owner.key in scene.custom_metadata()
    lock.release()
    lock.release()
    assert owner.key not in scene.custom_metadata()
    other = Lock(VaultStore(bao.client(), scene.path), Owner(), now=_now)
    lock.acquire()
    with pytest.raises(LockedError):
        other.acquire()
    lock.release()
    other.acquire()
    assert other.held
