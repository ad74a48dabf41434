"""JSON Lines: one occurrence per line, for sweeps too large to read as one document.

Rendered from the JSON document (:mod:`scanner.report.sweep_report`), so both carry the
same fields. Each line has a ``kind``: ``occurrence``, ``error`` or ``warning``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any


def lines(report: Mapping[str, Any]) -> Iterator[str]:
    for finding in report["findings"]:
        head = {k: v for k, v in finding.items() if k != "occurrences"}
        for occurrence in finding["occurrences"]:
            yield _dump({"kind": "occurrence", **head, **occurrence})
    for error in report.get("errors", []):
        yield _dump({"kind": "error", **error})
    for warning in report.get("warnings", []):
        yield _dump({"kind": "warning", **warning})


def render(report: Mapping[str, Any]) -> str:
    return "".join(line + "\n" for line in lines(report))


def _dump(record: Mapping[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))
