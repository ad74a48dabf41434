"""The runbook: drives one rotation through its states, journalling every step in Vault.

It never prints and never prompts. The human side comes in through an ``Operator``
(the CLI supplies prompts, or stdin and flags), and every step is reported as an
``Event`` to the ``emit`` callback (the CLI renders it and appends it to the audit log).
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable
from datetime import datetime, timezone

import httpx

from plugins.errors import ErrorKind
from plugins.pattern import Secret
from rotator import gates, preflight, undo
from rotator.checker import KeyChecker
from rotator.config import Target
from rotator.errors import (
    ConflictError,
    NewKeyRejected,
    NoRotationError,
    RotationError,
    UnusedKeyError,
)
from rotator.integrations import Context, run_automatic
from rotator.journal import (
    DONE_PREFIX,
    ERROR_KEY,
    LAST_DONE,
    Journal,
    clear_patch,
)
from rotator.lock import Lock, Owner
from rotator.operator import REVOCATION, SOAK, OldKey, Operator, Outcome, Settings, Waiting
from rotator.recorder import Event, Recorder
from rotator.states import TERMINAL, State
from rotator.vault import CasMismatch, SecretMeta, VaultStore


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
        scopes_of: Callable[[Secret], frozenset[str]] | None = None,
        describe_key: Callable[[Secret], OldKey] | None = None,
    ) -> None:
        self.store = store
        self.checker = checker
        self.target = target
        self._http = http
        self._settings = settings or Settings()
        self._now = now
        self._sleep = sleep
        self._monotonic = monotonic
        self._lock = Lock(store, owner or Owner(), now=now)
        self.rec = Recorder(store, emit, now)
        self._emit = emit
        self._disable_old_key = disable_old_key
        self._scopes_of = scopes_of
        self._describe_key = describe_key or (lambda key: OldKey(key.redacted))

    def status(self) -> tuple[Journal | None, SecretMeta | None]:
        """The journal as Vault holds it now (read-only: no lock, no reconciliation)."""
        return self.rec.status()

    # -- the commands ------------------------------------------------------------
    def run(
        self, operator: Operator, *, resume_only: bool = False, break_lock: bool = False
    ) -> Outcome:
        """Start a rotation, or continue the journalled one, as far as it can go."""
        self.rec.require_secret()
        self._lock.acquire(break_lock=break_lock)
        try:
            journal = self.rec.load()
            if journal is None or journal.state in TERMINAL:
                if resume_only:
                    if journal is None:
                        raise NoRotationError(
                            f"no rotation of {self.store.secret_path} to resume",
                            kind=ErrorKind.NOTHING_TO_RESUME,
                        )
                    return Outcome(journal)
                journal = self._start()
            try:
                return self._drive(journal, operator)
            except ConflictError:
                raise
            except RotationError as exc:
                self._note_error(exc)
                raise
        finally:
            self._lock.release()

    def refuse_unused_key(self, journal: Journal, key: Secret) -> None:
        """Raise (and record) when *key*, offered as the new key, is not the one this
        rotation wrote: say a second operator created key B after A was already in Vault.
        B would otherwise stay live in Klaviyo, unused and forgotten."""
        if journal.new_fp is None or key.fingerprint == journal.new_fp:
            return
        written = (
            self.rec.key_at(journal.new_version, journal.field).redacted
            if journal.new_version is not None
            else "another key"
        )
        self._emit(
            Event(
                "new_key_unused",
                journal.rotation_id,
                journal.state,
                self.rec.stamp(),
                {"unused_key": key.redacted, "written_key": written},
            )
        )
        raise UnusedKeyError(
            f"the new key {key.redacted} was not used: this rotation already wrote "
            f"{written} to Vault; disable {key.redacted} in Klaviyo so it is not left live"
        )

    def _note_error(self, exc: RotationError) -> None:
        # So `status` can say why the rotation stopped; best effort, Vault may be the problem.
        with contextlib.suppress(RotationError):
            self.store.patch_custom({ERROR_KEY: str(exc)[:500]})

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
        return self.rec.commit(
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
        return self.rec.move(
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
        self._check_scopes(journal, key)
        base = self.store.read(journal.base_version)
        if base is None:
            raise RotationError(
                f"version {journal.base_version} of {self.store.secret_path} can no longer be "
                "read (deleted?); abort this rotation and start a new one"
            )
        # Other fields of the secret are carried over unchanged.
        data = {**base, journal.field: key.reveal()}
        # The intent goes to Vault before the data: a crash between the two is settled
        # on resume by comparing the next version's fingerprint with this one.
        journal = self.rec.commit(
            journal.replace(intent="write", intent_fp=key.fingerprint),
            "write_intended",
            new_fp=key.fingerprint,
        )
        try:
            version = self.store.write(data, cas=journal.base_version)
        except CasMismatch:
            raise self.rec.conflict(
                journal, "the secret changed before the new key was written"
            ) from None
        return self.rec.move(
            journal,
            State.VAULT_UPDATED,
            "vault_updated",
            new_version=version,
            new_fp=key.fingerprint,
            intent=None,
            intent_fp=None,
        )

    def _check_scopes(self, journal: Journal, key: Secret) -> None:
        required = frozenset(self.target.scopes)
        if not required:
            return
        if self._scopes_of is None:
            # Klaviyo has no "which scopes does this key have" call short of the admin API.
            self._emit_note(journal, "scopes_unverified", ", ".join(sorted(required)))
            return
        have = self._scopes_of(key)
        missing = sorted(required - have) if "full_access" not in have else []
        if missing:
            raise NewKeyRejected(
                f"the new key lacks the scopes {', '.join(missing)}; create it with the link "
                "in the checklist (it lists every scope the consumers need)"
            )

    def _emit_note(self, journal: Journal, kind: str, detail: str) -> None:
        self._emit(
            Event(kind, journal.rotation_id, journal.state, self.rec.stamp(), {"detail": detail})
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
            journal = self.rec.commit(
                journal.replace(integrations_done=journal.integrations_done | {step.name}),
                "integration_done",
                {DONE_PREFIX + step.name: self.rec.stamp()},
                integration=step.name,
            )
        soak_until = self._now() + self.target.soak
        return self.rec.move(
            journal,
            State.INTEGRATIONS_UPDATED,
            "integrations_updated",
            soak_until=soak_until.isoformat(timespec="seconds"),
        )

    def _soak(self, journal: Journal, operator: Operator) -> Journal:
        if journal.soak_until:
            left = (datetime.fromisoformat(journal.soak_until) - self._now()).total_seconds()
            if left > 0:
                operator.waiting(SOAK, left, journal)
                operator.wait(left, journal)
        return self.rec.move(journal, State.AWAITING_REVOKE, "awaiting_revoke")

    def _revoke(self, journal: Journal, operator: Operator) -> Journal | None:
        assert journal.new_version is not None
        old = self.rec.key_at(journal.base_version, journal.field)
        new = self.rec.key_at(journal.new_version, journal.field)
        if self._disable_old_key is not None:
            # After an earlier "it is disabled" too, while the old key still works: that word
            # was premature (gate 3 failed), and the operator now asks keyguard to do it.
            if not journal.revoke_confirmed or not gates.old_key_is_dead(self.checker, old):
                self._disable_old_key(old)
        elif not journal.revoke_confirmed and not operator.confirm_revoked(
            journal, self._describe_key(old)
        ):
            return None
        if not journal.revoke_confirmed:
            journal = self.rec.commit(journal.replace(revoke_confirmed=True), "revoke_confirmed")
        gates.revocation_is_effective(
            self.checker,
            old,
            new,
            polling=self._settings.polling,
            sleep=lambda seconds: self._pause(operator, REVOCATION, seconds, journal),
            monotonic=self._monotonic,
        )
        # Which key was retired, in the audit log too: the journal in Vault is cleared by the
        # next rotation, and `keyguard triage` must still tell a retired key when it is seen.
        retired = {"old_fp": journal.old_fp, "new_fp": journal.new_fp}
        return self.rec.move(
            journal, State.DONE, "done", {LAST_DONE: self.rec.stamp()}, details=retired, error=None
        )

    def _pause(self, operator: Operator, why: str, seconds: float, journal: Journal) -> None:
        operator.waiting(why, seconds, journal)
        self._sleep(seconds)

    def rollback(self) -> Journal:
        """Re-publish the base version as a new version (only before the old key is dead)."""
        self.rec.require_secret()
        self._lock.acquire()
        try:
            return undo.rollback(self.store, self.rec, self.checker)
        finally:
            self._lock.release()

    def abort(self) -> Journal:
        """Abandon a rotation that has not written to Vault yet."""
        self.rec.require_secret()
        self._lock.acquire()
        try:
            return undo.abort(self.rec)
        finally:
            self._lock.release()
