"""Combine the reports of sweep shards into one report, as if one machine swept them all.

Findings are grouped by fingerprint and findings and occurrences ordered as
:func:`scanner.findings.group` and :func:`scanner.verify_findings.verify_findings` order them, so
merging the shards of a sweep gives the same findings as the unsharded sweep (live keys
first when verified).

When shards disagree about a key's verification, the merged finding keeps the most
telling answer (:func:`plugins.key_status.most_telling`): any answer beats none, so a key
verified in one shard stays verified, and ``live`` beats ``revoked``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from pathlib import Path

from plugins.key_status import most_telling
from scanner.findings import Occurrence, ScanIssue, occurrence_order
from scanner.report.model import Report, ReportFinding, Stats, Target


def shard_problems(reports: Sequence[tuple[Path, Report]]) -> list[str]:
    """Why *reports* are not one whole set of shards of one target list ([] when they are).

    Reports that carry no shard record (plain sweeps) are merged as they are; once one
    does, every report must be a different share of the same list, and none may be missing.
    """
    shards = [(path, report.shard) for path, report in reports]
    if all(record is None for _, record in shards):
        return []
    problems = [f"{path} is not a shard report" for path, record in shards if record is None]
    sharded = [(path, record) for path, record in shards if record is not None]
    first_path, first = sharded[0]
    count = first.count
    seen: dict[int, Path] = {}
    for path, record in sharded:
        index = record.index
        if (record.count, record.targets_sha256) != (count, first.targets_sha256):
            problems.append(
                f"{path} is shard {index}/{record.count} of another target list than {first_path}"
            )
        elif index in seen:
            problems.append(f"shard {index}/{count} is given twice: {seen[index]} and {path}")
        else:
            seen[index] = path
    missing = [f"{i}/{count}" for i in range(count) if i not in seen]
    if missing:
        problems.append(
            f"shard {missing[0]} is missing"
            if len(missing) == 1
            else f"shards {', '.join(missing)} are missing"
        )
    return problems


def _merge_finding(old: ReportFinding, new: ReportFinding) -> ReportFinding:
    """One key's record from two shards: the later shard's fields, the more telling verdict."""
    winner = min((old, new), key=lambda f: most_telling(f.status))
    return dataclasses.replace(new, verdict=winner.verdict)


def _first_place(finding: ReportFinding) -> tuple[object, ...]:
    return occurrence_order(finding.occurrences[0]) if finding.occurrences else ()


def _issues(found: Iterable[ScanIssue]) -> tuple[ScanIssue, ...]:
    return tuple(sorted(dict.fromkeys(found), key=lambda i: (i.path, i.message)))


def _total(stats: Sequence[Stats]) -> Stats:
    """Counts summed; a merge is of sweeps, so it counts blobs (0 when none was read)."""
    return Stats(
        files=sum(s.files for s in stats),
        bytes=sum(s.bytes for s in stats),
        skipped_binary=sum(s.skipped_binary for s in stats),
        binary=sum(s.binary for s in stats),
        skipped_gitignored=sum(s.skipped_gitignored for s in stats),
        suppressed=sum(s.suppressed for s in stats),
        blobs=sum(s.blobs or 0 for s in stats),
        cached_blobs=sum(s.cached_blobs or 0 for s in stats),
        api_calls=_optional_sum(s.api_calls for s in stats),
        repositories=_optional_sum(s.repositories for s in stats),
    )


def _optional_sum(values: Iterable[int | None]) -> int | None:
    """The sum of the counts some reports carry; None when none carries it."""
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def merge(reports: Iterable[Report]) -> Report:
    findings: dict[str, ReportFinding] = {}
    occurrences: dict[str, dict[Occurrence, None]] = {}
    errors: list[ScanIssue] = []
    warnings: list[ScanIssue] = []
    targets: dict[str, Target] = {}
    stats: list[Stats] = []
    for report in reports:
        for finding in report.findings:
            fp = finding.fingerprint
            # A merge has no --show-secrets: keys in --show-secrets shards stay out of it.
            finding = dataclasses.replace(finding, secret=None)
            findings[fp] = _merge_finding(findings[fp], finding) if fp in findings else finding
            occurrences.setdefault(fp, {}).update(dict.fromkeys(finding.occurrences))
        errors.extend(report.errors)
        warnings.extend(report.warnings or ())
        for target in report.targets or ():
            targets.setdefault(target.target, target)
        stats.append(report.stats)
    merged = [
        dataclasses.replace(f, occurrences=tuple(sorted(occurrences[fp], key=occurrence_order)))
        for fp, f in findings.items()
    ]
    merged.sort(key=lambda f: (_first_place(f), f.fingerprint))
    merged.sort(key=lambda f: f.status.rank)
    return Report(
        tuple(merged),
        _issues(errors),
        _total(stats),
        _issues(warnings),
        tuple(sorted(targets.values(), key=lambda t: t.target)),
    )


def with_problems(report: Report, problems: Sequence[str]) -> Report:
    """*report* noting, in its warnings, why its shards are not one whole set."""
    noted = (ScanIssue("merge", problem) for problem in problems)
    return dataclasses.replace(report, warnings=_issues([*(report.warnings or ()), *noted]))
