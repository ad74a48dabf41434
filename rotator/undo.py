"""Going back: abort before the Vault write, rollback after it (before the old key dies).

Both run under the runbook's lock, after its journal has been loaded and reconciled.
"""

from __future__ import annotations

from plugins.errors import ErrorKind
from rotator import gates
from rotator.checker import KeyChecker
from rotator.errors import GateError, NoRotationError, RotationError
from rotator.journal import Journal
from rotator.recorder import Recorder
from rotator.states import AFTER_WRITE, BEFORE_WRITE, State
from rotator.vault import CasMismatch, VaultStore


def rollback(store: VaultStore, rec: Recorder, checker: KeyChecker) -> Journal:
    journal = rec.load()
    if journal is not None and journal.state is State.ROLLED_BACK:
        return journal  # a re-run (or one after an interrupted rollback): already done
    if journal is None or journal.state not in AFTER_WRITE:
        state = journal.state.value if journal else "none"
        raise NoRotationError(
            f"nothing to roll back (rotation state {state}); rollback is only possible "
            "after the Vault write and before the old key is disabled"
        )
    assert journal.new_version is not None
    old = rec.key_at(journal.base_version, journal.field)
    if gates.old_key_is_dead(checker, old):
        raise GateError(
            "the old key is already disabled in Klaviyo, so rolling back would publish a dead key",
            kind=ErrorKind.ROLLBACK_TOO_LATE,
        )
    base = store.read(journal.base_version)
    if base is None:
        raise RotationError(
            f"version {journal.base_version} can no longer be read; cannot roll back"
        )
    # Same intent-before-write as the forward write: a crash here is settled on resume.
    journal = rec.commit(
        journal.replace(intent="rollback", intent_fp=old.fingerprint), "rollback_intended"
    )
    assert journal.new_version is not None
    try:
        store.write(base, cas=journal.new_version)
    except CasMismatch:
        raise rec.conflict(journal, "the secret changed before the rollback") from None
    return rec.move(journal, State.ROLLED_BACK, "rolled_back", intent=None, intent_fp=None)


def abort(rec: Recorder) -> Journal:
    journal = rec.load()
    if journal is not None and journal.state is State.ABORTED:
        return journal  # already done, as for rollback
    if journal is None or journal.state not in BEFORE_WRITE:
        state = journal.state.value if journal else "none"
        hint = " (use rollback)" if journal and journal.state in AFTER_WRITE else ""
        raise NoRotationError(
            f"nothing to abort (rotation state {state}){hint}; abort is only possible "
            "before the new key is written to Vault"
        )
    return rec.move(journal, State.ABORTED, "aborted")
