"""The sweep's JSON document: ``keyguard scan``'s shape plus what a sweep adds.

Findings and errors are rendered by :mod:`scanner.report.json_report` (which already
adds the provenance fields to each occurrence), so a consumer of ``scan --format json``
reads a sweep unchanged; ``warnings``, ``targets`` and the blob counts are extra keys.
"""

from __future__ import annotations

from typing import Any

from scanner.findings import ScanResult, ScanStats
from scanner.fleet import SweepResult
from scanner.report import json_report, jsontext


def report_dict(result: SweepResult, *, show_secrets: bool = False) -> dict[str, Any]:
    stats = result.stats
    scan_like = ScanResult(
        result.findings, result.errors, ScanStats(stats.files, stats.bytes, binary=stats.binary)
    )
    out = json_report.report_dict(scan_like, show_secrets=show_secrets)
    out["stats"].update(blobs=stats.blobs, cached_blobs=stats.cached)
    out["warnings"] = [{"path": w.path, "message": w.message} for w in result.warnings]
    out["targets"] = [
        {
            "target": t.target,
            "kind": t.kind,
            "blobs": t.stats.blobs,
            "files": t.stats.files,
            "bytes": t.stats.bytes,
            "occurrences": t.occurrences,
            "errors": t.errors,
        }
        for t in result.targets
    ]
    if result.shard is not None:
        out["shard"] = {
            "index": result.shard.index,
            "count": result.shard.count,
            "targets_sha256": result.shard.targets_sha256,
        }
    return out


def dumps(document: dict[str, Any]) -> str:
    return jsontext.dumps(document, items=len(document.get("findings", ())))
