"""Combine JSON reports of sweep shards into one report, as if one machine swept them all.

Works on the JSON documents themselves (they hold fingerprints, never whole keys unless
``--show-secrets`` wrote them), grouping findings by fingerprint and ordering findings
and occurrences as :func:`scanner.findings.group` does, so merging the shards of a
sweep gives the same findings as the unsharded sweep (live keys first when verified).

When shards disagree about a key's verification, the merged finding keeps the most
alarming answer Klaviyo gave (:data:`MERGE_RANK`): any answer beats none, so a key
verified in one shard stays verified, and ``live`` beats ``revoked``. Reports carry no
time, so "most recent" cannot be told; missing a live key costs more than re-checking
a revoked one (``keyguard verify --from-report``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from plugins.errors import KeyguardError
from scanner.findings import PROVENANCE_FIELDS, UNVERIFIED
from scanner.verify_findings import STATUS_RANK


class MergeError(KeyguardError):
    exit_code = 2


_STAT_KEYS = (
    *("files", "bytes", "blobs", "cached_blobs"),
    *("skipped_binary", "binary", "skipped_gitignored", "suppressed"),
)
_PROVENANCE_ORDER = PROVENANCE_FIELDS


#: Lower wins when shards disagree: answers by how alarming they are, then no answer.
MERGE_RANK = {"live": 0, "limited": 1, "revoked": 2, "unknown": 3, UNVERIFIED: 4}
_VERIFICATION = ("status", "account", "status_reason")


def _merge_rank(finding: Mapping[str, Any]) -> int:
    return MERGE_RANK.get(finding.get("status", UNVERIFIED), len(MERGE_RANK))


def _merge_head(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """One finding's fields from two shards; verification from the winning shard."""
    winner = new if _merge_rank(new) < _merge_rank(old) else old
    merged = {**old, **new}
    for key in _VERIFICATION:
        if key in winner:
            merged[key] = winner[key]
        else:
            merged.pop(key, None)
    return merged


def load(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MergeError(f"cannot read {path}: {exc.strerror}") from exc
    except ValueError as exc:
        raise MergeError(f"{path} is not JSON: write shard results with --format json") from exc
    if not isinstance(document, dict) or not isinstance(document.get("findings"), list):
        raise MergeError(
            f"{path} is not a keyguard JSON report (no findings list): "
            "write shard results with --format json"
        )
    return document


def _shard_of(document: Mapping[str, Any]) -> tuple[int, int, str] | None:
    record = document.get("shard")
    if not isinstance(record, dict):
        return None
    index, count, digest = record.get("index"), record.get("count"), record.get("targets_sha256")
    if isinstance(index, int) and isinstance(count, int) and isinstance(digest, str):
        return index, count, digest
    return None


def shard_problems(reports: Sequence[tuple[Path, Mapping[str, Any]]]) -> list[str]:
    """Why *reports* are not one whole set of shards of one target list ([] when they are).

    Reports that carry no shard record (plain sweeps) are merged as they are; once one
    does, every report must be a different share of the same list, and none may be missing.
    """
    shards = [(path, _shard_of(document)) for path, document in reports]
    if all(record is None for _, record in shards):
        return []
    problems = [f"{path} is not a shard report" for path, record in shards if record is None]
    sharded = [(path, record) for path, record in shards if record is not None]
    first_path, (_, count, digest) = sharded[0]
    seen: dict[int, Path] = {}
    for path, (index, n, other) in sharded:
        if (n, other) != (count, digest):
            problems.append(f"{path} is shard {index}/{n} of another target list than {first_path}")
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


def _none_first(value: Any) -> tuple[int, Any]:
    return (0, "") if value is None else (1, value)


def _occurrence_order(o: Mapping[str, Any]) -> tuple[Any, ...]:
    original = o.get("original")
    head = (o["path"], o["line"], o["column"], o.get("byte_column", 0), o.get("encoding", ""))
    orig = _none_first(None if original is None else tuple(original.values()))
    if "blob" not in o:
        return (*head, orig, (0, ""))
    prov = tuple(
        tuple(o[k]) if isinstance(o.get(k), list) else _none_first(o.get(k))
        for k in _PROVENANCE_ORDER
    )
    return (*head, orig, (1, prov))


def _canonical(record: Mapping[str, Any]) -> str:
    return json.dumps(record, sort_keys=True, ensure_ascii=False)


def merge(documents: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    findings: dict[str, dict[str, Any]] = {}
    occurrences: dict[str, dict[str, Mapping[str, Any]]] = {}
    errors: dict[str, Mapping[str, Any]] = {}
    warnings: dict[str, Mapping[str, Any]] = {}
    targets: dict[str, Mapping[str, Any]] = {}
    stats = dict.fromkeys(_STAT_KEYS, 0)
    for document in documents:
        for finding in document["findings"]:
            fp = finding["fingerprint"]
            head = {k: v for k, v in finding.items() if k != "occurrences"}
            findings[fp] = _merge_head(findings[fp], head) if fp in findings else head
            into = occurrences.setdefault(fp, {})
            for occurrence in finding["occurrences"]:
                into.setdefault(_canonical(occurrence), occurrence)
        for error in document.get("errors", []):
            errors.setdefault(_canonical(error), error)
        for warning in document.get("warnings", []):
            warnings.setdefault(_canonical(warning), warning)
        for target in document.get("targets", []):
            targets.setdefault(str(target.get("target")), target)
        for key, value in document.get("stats", {}).items():
            if key in stats and isinstance(value, int):
                stats[key] += value
    merged = []
    for fp, head in findings.items():
        ordered = sorted(occurrences[fp].values(), key=_occurrence_order)
        merged.append({**head, "occurrences": ordered})
    merged.sort(key=lambda f: (_occurrence_order(f["occurrences"][0]), f["fingerprint"]))
    merged.sort(key=lambda f: STATUS_RANK.get(f.get("status", UNVERIFIED), len(STATUS_RANK)))

    def issues(found: dict[str, Mapping[str, Any]]) -> list[Mapping[str, Any]]:
        return sorted(found.values(), key=lambda i: (i.get("path", ""), i.get("message", "")))

    return {
        "findings": merged,
        "errors": issues(errors),
        "stats": stats,
        "warnings": issues(warnings),
        "targets": sorted(targets.values(), key=lambda t: str(t.get("target"))),
    }
