"""What the rotation side knows: every configured target's versions, by fingerprint, and
the rotations of the journals and the audit log; what could not be read, as notes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from keyguard import error_wording
from keyguard.triage.model import Note
from plugins.errors import KeyguardError
from rotator.config import Target
from rotator.holdings import Holdings, Problem, read_holdings
from rotator.holdings import Note as HoldingNote
from rotator.rotations import AuditProblem, AuditRead, Rotations, combine, from_journal, read_audit
from rotator.vault import VaultStore


@dataclass(frozen=True)
class Stored:
    holdings: Holdings
    rotations: Rotations
    notes: tuple[Note, ...]
    labels: dict[str, str]  # vault path -> target name

    def label(self, vault_path: str) -> str:
        return self.labels.get(vault_path, vault_path)


def _versions(numbers: Sequence[int]) -> str:
    word = "versions" if len(numbers) > 1 else "version"
    return f"{word} {', '.join(map(str, numbers))}"


def holding_note(n: HoldingNote) -> Note:
    t, where = n.target, f"{n.target.vault_path} (target {n.target.label})"
    texts = {
        Problem.UNREACHABLE: f"Vault did not answer for {where}: not compared",
        Problem.DENIED: f"Vault denied reading {where}: not compared; the token needs read "
        "on its metadata and data",
        Problem.NOT_KV2: f"{where} is not on a KV v2 mount: not compared",
        Problem.ABSENT: f"no secret at {where}: nothing to compare",
        Problem.FAILED: f"Vault could not read {where}: not compared",
    }
    if n.versions:
        v = _versions(n.versions)
        many = len(n.versions) > 1
        has, was, it = ("have", "were", "them") if many else ("has", "was", "it")
        texts = {
            Problem.UNREACHABLE: f"Vault did not answer for {v} of {where}: not compared",
            Problem.DENIED: f"Vault denied reading {v} of {where}: not compared",
            Problem.FAILED: f"Vault could not read {v} of {where}: not compared",
            Problem.FIELD_MISSING: f"{v} of {where} {has} no field '{t.field}': nothing to "
            "compare there",
            Problem.DESTROYED: f"{v} of {where} {was} destroyed: which key {it} held cannot "
            "be told",
            Problem.DELETED: f"{v} of {where} {was} deleted: undelete {it} to compare",
        }
    return Note(t.label, texts[n.problem], unchecked=n.problem.unchecked)


def holding_notes(found: Sequence[HoldingNote]) -> list[Note]:
    """One line per note, except that targets Vault never answered for share one line."""
    silent = [n for n in found if n.problem is Problem.UNREACHABLE and not n.versions]
    out = [holding_note(n) for n in found if n not in silent]
    if len(silent) > 1:
        names = ", ".join(n.target.label for n in silent)
        text = (
            f"Vault did not answer for {len(silent)} targets ({names}): none compared; "
            "check VAULT_ADDR and the server"
        )
        out.insert(0, Note("vault", text, unchecked=True))
    else:
        out[:0] = [holding_note(n) for n in silent]
    return out


def audit_note(path: Path, audit: AuditRead) -> Note | None:
    if audit.problem is AuditProblem.MISSING:
        return Note(
            str(path),
            f"no audit log at {path}: only the latest rotation of each target (its journal "
            "in Vault) is known",
            unchecked=False,
        )
    if audit.problem is AuditProblem.UNREADABLE:
        return Note(str(path), f"cannot read the audit log {path}", unchecked=True)
    if audit.problem is AuditProblem.BROKEN_CHAIN:
        lines = ", ".join(map(str, audit.lines[:3]))
        return Note(
            str(path),
            f"the audit log {path} is broken at line {lines} (a line was changed or dropped): "
            "its rotations are read but not to be trusted",
            unchecked=False,
        )
    return None


def gather(
    targets: Sequence[Target],
    connect: Callable[[], Callable[[Target], VaultStore]],
    audit_log: Path,
    *,
    audit_named: bool,
    concurrency: int,
) -> Stored:
    """*connect* logs in to Vault (only when there are targets to read) and gives the
    store of each target; *audit_named*: the audit log was named (an option, the
    configuration), so its absence is worth a note."""
    labels = {t.vault_path: t.label for t in targets}
    notes: list[Note] = []
    holdings = Holdings()
    if targets:
        try:
            store_for = connect()
        except KeyguardError as exc:
            text = f"{error_wording.message(exc)}; no target compared"
            notes.append(Note("vault", text, unchecked=True))
        else:
            holdings = read_holdings(targets, store_for, concurrency=concurrency)
            notes.extend(holding_notes(holdings.notes))
    audit = read_audit(audit_log)
    note = audit_note(audit_log, audit)
    # A missing log at the default place only means no rotation was run from here.
    if note is not None and (audit_named or audit.problem is not AuditProblem.MISSING):
        notes.append(note)
    journals = [
        r
        for read in holdings.reads
        if (r := from_journal(read.target.vault_path, read.custom)) is not None
    ]
    rotations = combine(journals, audit.rotations, holdings.fingerprint_at)
    return Stored(holdings, rotations, tuple(notes), labels)
