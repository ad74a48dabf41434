"""The runbook: drives one rotation through its states, journalling every step in Vault.

It never prints and never prompts. The human side comes in through an ``Operator``
(the CLI supplies prompts, or stdin and flags), and every step is reported as an
``Event`` to the ``emit`` callback (the CLI renders it and appends it to the audit log).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Protocol

import httpx

from plugins.pattern import Secret
from rotator import gates, preflight
from rotator.checker import KeyChecker
from rotator.config import Target
from rotator.errors import ConflictError, GateError, NoRotationError, RotationError
from rotator.integrations import Context, Integration, run_automatic
from rotator.journal import (
    DONE_PREFIX,
    LAST_DONE,
    Journal,
    clear_patch,
    expected_current,
    from_metadata,
    reconcile,
)
from rotator.lock import Lock, Owner
from rotator.states import AFTER_WRITE, BEFORE_WRITE, TERMINAL, State, check_move
from rotator.vault import CasMismatch, SecretMeta, VaultStore

Details = Mapping[str, str | int | bool | None]


class Waiting(Enum):
    """What a human must do before the rotation can go on (each has its own exit code)."""

    NEW_KEY = 10
    REVOKE = 11
    INTEGRATIONS = 12


@dataclass(frozen=True)
class Event:
    kind: str
    rotation_id: str
    state: State
    at: str
    details: Details = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    journal: Journal
    waiting: Waiting | None = None


class Operator(Protocol):
    """The human side of a rotation; a method returning None/False means "not now"."""

    def new_key(self, journal: Journal) -> Secret | None: ...

    def confirm_integration(self, step: Integration, journal: Journal) -> bool: ...

    def confirm_revoked(self, journal: Journal) -> bool: ...

    def wait(self, seconds: float, journal: Journal) -> None: ...


@dataclass(frozen=True)
class Settings:
    min_token_ttl: timedelta = timedelta(minutes=15)
    polling: gates.Polling = field(default_factory=gates.Polling)


def _utc() -> datetime:
    return datetime.now(timezone.utc)


class Runbook:
    def __init__(
        self,
        store: VaultStore,
        checker: KeyChecker,
        target: Target,
        *,
        emit: Callable[[Event], None],
        http: httpx.Client,
        settings: Settings | None = None,
        now: Callable[[], datetime] = _utc,
        sleep: Callable[[float], None],
        monotonic: Callable[[], float],
        owner: Owner | None = None,
        disable_old_key: Callable[[Secret], None] | None = None,
    ) -> None:
        self.store = store
        self.checker = checker
        self.target = target
        self._emit = emit
        self._http = http
        self._settings = settings or Settings()
        self._now = now
        self._sleep = sleep
        self._monotonic = monotonic
        self._lock = Lock(store, owner or Owner(), now=now)
        self._disable_old_key = disable_old_key

    # -- reading ---------------------------------------------------------------
    def status(self) -> tuple[Journal | None, SecretMeta | None]:
        """The journal as Vault holds it now (read-only: no lock, no reconciliation)."""
        meta = self.store.metadata()
        return (from_metadata(meta.custom) if meta else None), meta

    def _stamp(self) -> str:
        return self._now().isoformat(timespec="seconds")

    def _fp_at(self, field_name: str) -> Callable[[int], str | None]:
        def fp(version: int) -> str | None:
            value = (self.store.read(version) or {}).get(field_name)
            return Secret(value).fingerprint if isinstance(value, str) else None

        return fp

    def _key_at(self, version: int, field_name: str) -> Secret:
        value = (self.store.read(version) or {}).get(field_name)
        if not isinstance(value, str):
            raise RotationError(
                f"version {version} of {self.store.secret_path} has no field '{field_name}' "
                "any more; see `keyguard rotate status`"
            )
        return Secret(value)

    # -- writing the journal ----------------------------------------------------
    def _commit(
        self,
        journal: Journal,
        kind: str,
        extra: Mapping[str, str | None] | None = None,
        **d: str | int | None,
    ) -> Journal:
        journal = journal.replace(updated_at=self._stamp())
        patch = journal.to_metadata()
        patch.update(extra or {})
        self.store.patch_custom(patch)
        self._emit(Event(kind, journal.rotation_id, journal.state, journal.updated_at, d))
        return journal

    def _move(
        self,
        journal: Journal,
        state: State,
        kind: str,
        extra: Mapping[str, str | None] | None = None,
        **changes: object,
    ) -> Journal:
        check_move(journal.state, state)
        return self._commit(journal.replace(state=state, **changes), kind, extra)

    def _conflict(self, journal: Journal, why: str) -> ConflictError:
        self._commit(
            journal.replace(state=State.CONFLICT, intent=None, intent_fp=None, error=why),
            "conflict",
            reason=why,
        )
        return ConflictError(
            f"{self.store.secret_path}: {why}; nothing was overwritten. Check who wrote it, "
            "then start a new rotation"
        )

    def _load(self) -> Journal | None:
        """The journal, with any interrupted write settled and consistency checked."""
        meta = self.store.metadata()
        if meta is None:
            raise RotationError(
                f"there is no secret at {self.store.secret_path}; store the current key there "
                "first (bao kv put ...)"
            )
        journal = from_metadata(meta.custom)
        if journal is None or journal.state in TERMINAL:
            return journal
        resolution = reconcile(journal, meta.current_version, self._fp_at(journal.field))
        if resolution is not None:
            journal = self._commit(resolution.journal, "reconciled", note=resolution.note)
            if journal.state is State.CONFLICT:
                raise ConflictError(
                    f"{self.store.secret_path}: {journal.error}; nothing was overwritten"
                )
            return journal
        expected = expected_current(journal)
        if expected is not None and meta.current_version != expected:
            raise self._conflict(
                journal,
                f"version {meta.current_version} was written by someone else "
                f"(the rotation expected version {expected})",
            )
        return journal

    # -- the commands ------------------------------------------------------------
    def run(
        self, operator: Operator, *, resume_only: bool = False, break_lock: bool = False
    ) -> Outcome:
        """Start a rotation, or continue the journalled one, as far as it can go."""
        self._lock.acquire(break_lock=break_lock)
        try:
            journal = self._load()
            if journal is None or journal.state in TERMINAL:
                if resume_only:
                    if journal is None:
                        raise NoRotationError(
                            f"no rotation of {self.store.secret_path} to resume; start one "
                            "with `keyguard rotate`"
                        )
                    return Outcome(journal)
                journal = self._start()
            return self._drive(journal, operator)
        finally:
            self._lock.release()

    def _start(self) -> Journal:
        meta = self.store.metadata()
        assert meta is not None
        rid = secrets.token_hex(6)
        now = self._now()
        label = f"keyguard {self.target.label} {now:%Y-%m-%d} {rid[:4]}"
        journal = Journal(
            rotation_id=rid,
            state=State.PREFLIGHT,
            base_version=meta.current_version,
            field=self.target.field,
            started_at=now.isoformat(timespec="seconds"),
            updated_at=now.isoformat(timespec="seconds"),
            key_label=label,
        )
        return self._commit(
            journal,
            "started",
            clear_patch(meta.custom),
            vault_path=self.store.secret_path,
            base_version=meta.current_version,
        )

    def _drive(self, journal: Journal, operator: Operator) -> Outcome:
        while journal.state not in TERMINAL:
            self._lock.renew()
            if journal.state is State.PREFLIGHT:
                journal = self._preflight(journal)
            elif journal.state is State.AWAITING_NEW_KEY:
                key = operator.new_key(journal)
                if key is None:
                    return Outcome(journal, Waiting.NEW_KEY)
                journal = self._store_new_key(journal, key)
            elif journal.state is State.VAULT_UPDATED:
                next_journal = self._integrations(journal, operator)
                if next_journal is None:
                    return Outcome(journal, Waiting.INTEGRATIONS)
                journal = next_journal
            elif journal.state is State.INTEGRATIONS_UPDATED:
                journal = self._soak(journal, operator)
            elif journal.state is State.AWAITING_REVOKE:
                next_journal = self._revoke(journal, operator)
                if next_journal is None:
                    return Outcome(journal, Waiting.REVOKE)
                journal = next_journal
        return Outcome(journal)

    # -- the steps ---------------------------------------------------------------
    def _preflight(self, journal: Journal) -> Journal:
        meta = self.store.metadata()
        assert meta is not None
        seconds = int(self._settings.min_token_ttl.total_seconds())
        found = preflight.check(self.store, meta, journal.field, min_ttl_seconds=seconds)
        account = gates.old_key_is_live(self.checker, found.old_key)
        return self._move(
            journal,
            State.AWAITING_NEW_KEY,
            "preflight_passed",
            old_fp=found.old_key.fingerprint,
            account_id=account,
        )

    def _store_new_key(self, journal: Journal, key: Secret) -> Journal:
        gates.new_key_is_acceptable(
            self.checker, key, old_fp=journal.old_fp, account_id=journal.account_id
        )
        base = self.store.read(journal.base_version) or {}
        data = {**base, journal.field: key.reveal()}
        # The intent goes to Vault before the data: a crash between the two is settled
        # on resume by comparing the next version's fingerprint with this one.
        journal = self._commit(
            journal.replace(intent="write", intent_fp=key.fingerprint),
            "write_intended",
            new_fp=key.fingerprint,
        )
        try:
            version = self.store.write(data, cas=journal.base_version)
        except CasMismatch:
            raise self._conflict(
                journal, "the secret changed before the new key was written"
            ) from None
        return self._move(
            journal,
            State.VAULT_UPDATED,
            "vault_updated",
            new_version=version,
            new_fp=key.fingerprint,
            intent=None,
            intent_fp=None,
        )

    def _integrations(self, journal: Journal, operator: Operator) -> Journal | None:
        assert journal.new_version is not None
        ctx = Context(
            self.store.secret_path, journal.field, journal.new_version, journal.rotation_id
        )
        for step in self.target.integrations:
            if step.name in journal.integrations_done:
                continue
            if step.kind == "manual":
                if not operator.confirm_integration(step, journal):
                    return None
            else:
                run_automatic(step, ctx, http=self._http)
            journal = self._commit(
                journal.replace(integrations_done=journal.integrations_done | {step.name}),
                "integration_done",
                {DONE_PREFIX + step.name: self._stamp()},
                integration=step.name,
            )
        soak_until = self._now() + self.target.soak
        return self._move(
            journal,
            State.INTEGRATIONS_UPDATED,
            "integrations_updated",
            soak_until=soak_until.isoformat(timespec="seconds"),
        )

    def _soak(self, journal: Journal, operator: Operator) -> Journal:
        if journal.soak_until:
            left = (datetime.fromisoformat(journal.soak_until) - self._now()).total_seconds()
            if left > 0:
                operator.wait(left, journal)
        return self._move(journal, State.AWAITING_REVOKE, "awaiting_revoke")

    def _revoke(self, journal: Journal, operator: Operator) -> Journal | None:
        assert journal.new_version is not None
        old = self._key_at(journal.base_version, journal.field)
        new = self._key_at(journal.new_version, journal.field)
        if not journal.revoke_confirmed:
            if self._disable_old_key is not None:
                self._disable_old_key(old)
            elif not operator.confirm_revoked(journal):
                return None
            journal = self._commit(journal.replace(revoke_confirmed=True), "revoke_confirmed")
        gates.revocation_is_effective(
            self.checker,
            old,
            new,
            polling=self._settings.polling,
            sleep=self._sleep,
            monotonic=self._monotonic,
        )
        return self._move(journal, State.DONE, "done", {LAST_DONE: self._stamp()}, error=None)

    def rollback(self) -> Journal:
        """Re-publish the base version as a new version (only before the old key is dead)."""
        self._lock.acquire()
        try:
            journal = self._load()
            if journal is None or journal.state not in AFTER_WRITE:
                state = journal.state.value if journal else "none"
                raise NoRotationError(
                    f"nothing to roll back (rotation state {state}); rollback is only possible "
                    "after the Vault write and before the old key is disabled"
                )
            assert journal.new_version is not None
            old = self._key_at(journal.base_version, journal.field)
            if gates.old_key_is_dead(self.checker, old):
                raise GateError(
                    "the old key is already disabled in Klaviyo, so rolling back would publish a "
                    "dead key; finish this rotation (`keyguard rotate resume`) instead"
                )
            base = self.store.read(journal.base_version) or {}
            journal = self._commit(
                journal.replace(intent="rollback", intent_fp=old.fingerprint), "rollback_intended"
            )
            assert journal.new_version is not None
            try:
                self.store.write(base, cas=journal.new_version)
            except CasMismatch:
                raise self._conflict(journal, "the secret changed before the rollback") from None
            return self._move(
                journal, State.ROLLED_BACK, "rolled_back", intent=None, intent_fp=None
            )
        finally:
            self._lock.release()

    def abort(self) -> Journal:
        """Abandon a rotation that has not written to Vault yet."""
        self._lock.acquire()
        try:
            journal = self._load()
            if journal is None or journal.state not in BEFORE_WRITE:
                state = journal.state.value if journal else "none"
                hint = " (use rollback)" if journal and journal.state in AFTER_WRITE else ""
                raise NoRotationError(
                    f"nothing to abort (rotation state {state}){hint}; abort is only possible "
                    "before the new key is written to Vault"
                )
            return self._move(journal, State.ABORTED, "aborted")
        finally:
            self._lock.release()
