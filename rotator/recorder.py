"""The journal's writer: every state change goes to Vault first, then out as an Event."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from plugins.errors import ErrorKind
from plugins.pattern import Secret
from rotator.errors import ConflictError, RotationError
from rotator.journal import Journal, expected_current, from_metadata, reconcile
from rotator.states import TERMINAL, State, check_move
from rotator.vault import SecretMeta, VaultStore

Details = Mapping[str, str | int | bool | None]


@dataclass(frozen=True)
class Event:
    kind: str
    rotation_id: str
    state: State
    at: str
    details: Details = field(default_factory=dict)


class Recorder:
    def __init__(
        self, store: VaultStore, emit: Callable[[Event], None], now: Callable[[], datetime]
    ) -> None:
        self.store = store
        self._emit = emit
        self._now = now

    # -- reading ---------------------------------------------------------------
    def status(self) -> tuple[Journal | None, SecretMeta | None]:
        """The journal as Vault holds it now (read-only: no lock, no reconciliation)."""
        meta = self.store.metadata()
        return (from_metadata(meta.custom) if meta else None), meta

    def stamp(self) -> str:
        return self._now().isoformat(timespec="seconds")

    def fp_at(self, field_name: str) -> Callable[[int], str | None]:
        def fp(version: int) -> str | None:
            value = (self.store.read(version) or {}).get(field_name)
            return Secret(value).fingerprint if isinstance(value, str) else None

        return fp

    def key_at(self, version: int, field_name: str) -> Secret:
        value = (self.store.read(version) or {}).get(field_name)
        if not isinstance(value, str):
            raise RotationError(
                f"version {version} of {self.store.secret_path} has no field '{field_name}' "
                "any more",
                kind=ErrorKind.FIELD_GONE,
            )
        return Secret(value)

    # -- writing the journal ----------------------------------------------------
    def commit(
        self,
        journal: Journal,
        kind: str,
        extra: Mapping[str, str | None] | None = None,
        **d: str | int | None,
    ) -> Journal:
        journal = journal.replace(updated_at=self.stamp())
        patch = journal.to_metadata()
        patch.update(extra or {})
        self.store.patch_custom(patch)
        self._emit(Event(kind, journal.rotation_id, journal.state, journal.updated_at, d))
        return journal

    def move(
        self,
        journal: Journal,
        state: State,
        kind: str,
        extra: Mapping[str, str | None] | None = None,
        *,
        details: Details | None = None,
        **changes: object,
    ) -> Journal:
        """Move to *state*, changing the journal's fields as *changes* say; *details* go
        with the event only (the audit log keeps them)."""
        check_move(journal.state, state)
        changes.setdefault("error", None)  # a step that moves on has cleared the last failure
        return self.commit(
            journal.replace(state=state, **changes), kind, extra, **dict(details or {})
        )

    def conflict(self, journal: Journal, why: str) -> ConflictError:
        self.commit(
            journal.replace(state=State.CONFLICT, intent=None, intent_fp=None, error=why),
            "conflict",
            reason=why,
        )
        return ConflictError(
            f"{self.store.secret_path}: {why}; nothing was overwritten. Check who wrote it, "
            "then start a new rotation"
        )

    def require_secret(self) -> SecretMeta:
        meta = self.store.metadata()
        if meta is None:
            raise RotationError(
                f"there is no secret at {self.store.secret_path}; store the current key there "
                "first (bao kv put ...)"
            )
        return meta

    def load(self) -> Journal | None:
        """The journal, with any interrupted write settled and consistency checked."""
        meta = self.require_secret()
        journal = from_metadata(meta.custom)
        if journal is None or journal.state in TERMINAL:
            return journal
        resolution = reconcile(journal, meta.current_version, self.fp_at(journal.field))
        if resolution is not None:
            journal = self.commit(resolution.journal, "reconciled", note=resolution.note)
            if journal.state is State.CONFLICT:
                raise ConflictError(
                    f"{self.store.secret_path}: {journal.error}; nothing was overwritten"
                )
            return journal
        expected = expected_current(journal)
        if expected is not None and meta.current_version != expected:
            raise self.conflict(
                journal,
                f"version {meta.current_version} was written by someone else "
                f"(the rotation expected version {expected})",
            )
        return journal
