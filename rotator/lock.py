"""A lock in custom_metadata so two processes never drive one rotation at once.

Vault has no check-and-set for metadata, so each contender adds a key of its own
(``keyguard_lock_<nonce>``; a merge-PATCH never overwrites another contender's key),
then reads back: anyone who sees a live claim besides its own withdraws. Two racing
contenders can both withdraw, but never both proceed. The data write's ``cas`` stays
the final guard either way.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from rotator.errors import LockedError, RotationError
from rotator.journal import LOCK_PREFIX
from rotator.vault import VaultStore


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True)
class Owner:
    host: str = field(default_factory=socket.gethostname)
    pid: int = field(default_factory=os.getpid)
    nonce: str = field(default_factory=lambda: secrets.token_hex(6))

    @property
    def key(self) -> str:
        return LOCK_PREFIX + self.nonce


@dataclass(frozen=True)
class Claim:
    key: str
    host: str
    pid: int
    since: datetime

    def describe(self) -> str:
        return f"{self.host} pid {self.pid} since {self.since.isoformat(timespec='seconds')}"


def _parse(key: str, value: str) -> Claim | None:
    try:
        host, pid, since = value.split("|", 2)
        return Claim(key, host, int(pid), datetime.fromisoformat(since))
    except ValueError:
        return None


class Lock:
    def __init__(
        self,
        store: VaultStore,
        owner: Owner,
        *,
        now: Callable[[], datetime],
        lease: timedelta = timedelta(hours=1),
        pid_alive: Callable[[int], bool] = _pid_alive,
    ) -> None:
        self._store = store
        self._owner = owner
        self._now = now
        self._lease = lease
        self._pid_alive = pid_alive
        self.held = False

    def _stale(self, claim: Claim) -> bool:
        if claim.host == self._owner.host and not self._pid_alive(claim.pid):
            return True
        return self._now() - claim.since > self._lease

    def _others(self, *, break_lock: bool) -> list[Claim]:
        meta = self._store.metadata()
        custom = meta.custom if meta else {}
        claims = [
            c
            for k, v in custom.items()
            if k.startswith(LOCK_PREFIX) and k != self._owner.key and (c := _parse(k, v))
        ]
        stale = [c for c in claims if break_lock or self._stale(c)]
        if stale:
            self._store.patch_custom({c.key: None for c in stale})
        return [c for c in claims if c not in stale]

    def acquire(self, *, break_lock: bool = False) -> None:
        others = self._others(break_lock=break_lock)
        if others:
            raise self._refusal(others)
        self.renew()
        others = self._others(break_lock=False)
        if others:
            self.release()
            raise self._refusal(others)

    def renew(self) -> None:
        o = self._owner
        self._store.patch_custom({o.key: f"{o.host}|{o.pid}|{self._now().isoformat()}"})
        self.held = True

    def release(self) -> None:
        """Best effort: if Vault is unreachable now, the claim of this (soon dead) process
        is stale and the next run removes it; the error that brought us here matters more."""
        if self.held:
            self.held = False
            with contextlib.suppress(RotationError):
                self._store.patch_custom({self._owner.key: None})

    def _refusal(self, others: list[Claim]) -> LockedError:
        who = others[0].describe() if others else "another process"
        return LockedError(
            f"another keyguard process ({who}) is driving a rotation of {self._store.secret_path}"
        )
