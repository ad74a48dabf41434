"""One record per distinct key, most dangerous first: the report's findings tied to their
status, the targets that hold them and the rotation that matters."""

from __future__ import annotations

from collections.abc import Sequence

from keyguard.triage.gather import Stored
from keyguard.triage.model import KeyTriage, Note, RotationRef, Triage, VaultRef
from keyguard.triage.status import Statuses
from keyguard.triage.verdict import Commands, decide
from rotator.rotations import Rotation
from scanner.report.exposure import exposure_of
from scanner.report.model import Report


def rotation_ref(stored: Stored, fp: str) -> RotationRef | None:
    """The rotation that retired the key, else one under way that replaces it or puts it
    in place, else None."""
    r: Rotation | None = stored.rotations.retired(fp) or stored.rotations.under_way(fp)
    if r is None:
        return None
    return RotationRef(
        r.rotation_id,
        r.state.value,
        stored.label(r.vault_path),
        r.vault_path,
        r.started_at,
        r.finished_at if r.done else None,
        replacing=r.old_fp == fp,
    )


def assemble(
    report: Report,
    statuses: Statuses,
    stored: Stored,
    commands: Commands,
    *,
    notes: Sequence[Note],
    generated_at: str,
) -> Triage:
    keys = []
    for f in report.findings:
        fp = f.fingerprint
        exposure = exposure_of(f.occurrences)
        vault = tuple(
            VaultRef(h.target.label, h.target.vault_path, h.version, h.current)
            for h in stored.holdings.of(fp)
        )
        rotation = rotation_ref(stored, fp)
        status = statuses.by_fingerprint[fp]
        decision = decide(status, exposure, vault, rotation, f.redacted, commands)
        keys.append(
            KeyTriage(
                fp,
                f.redacted,
                status,
                exposure,
                vault,
                rotation,
                decision.kind,
                decision.verdict,
                decision.next,
                statuses.secrets.get(fp),
            )
        )
    keys.sort(
        key=lambda k: (
            k.kind.rank,
            k.status.status.rank,
            k.exposure.first_committed or "~",
            k.fingerprint,
        )
    )
    return Triage(
        tuple(keys),
        (*notes, *stored.notes),
        len(stored.labels),
        generated_at,
    )
