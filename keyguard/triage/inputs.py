"""The reports a triage reads, through the one report loader, merged by fingerprint."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from keyguard import error_wording
from keyguard.triage.model import Note
from scanner.report import merge
from scanner.report.fields import ReportError
from scanner.report.model import Report, load


@dataclass(frozen=True)
class Inputs:
    report: Report  # every readable report merged: one finding per distinct key
    read: tuple[Path, ...]
    notes: tuple[Note, ...]  # one per report refused, saying why


def read_reports(paths: Sequence[Path]) -> Inputs:
    """Each report loaded; one that is not keyguard's, of a newer schema or malformed is a
    note (the loader's one line) and the others are triaged."""
    reports: list[Report] = []
    read: list[Path] = []
    notes: list[Note] = []
    for path in paths:
        try:
            reports.append(load(path))
        except ReportError as exc:
            notes.append(Note(str(path), error_wording.message(exc), unchecked=True))
            continue
        read.append(path)
    # A merge drops the keys of --show-secrets reports; a triage uses them to ask Klaviyo.
    keys = {f.fingerprint: f.secret for r in reports for f in r.findings if f.secret is not None}
    merged = merge.merge(reports)
    findings = tuple(replace(f, secret=keys.get(f.fingerprint)) for f in merged.findings)
    return Inputs(replace(merged, findings=findings), tuple(read), tuple(notes))
