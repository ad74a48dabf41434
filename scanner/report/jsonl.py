"""JSON Lines: one occurrence per line, for sweeps too large to read as one document.

Written from the report model (:mod:`scanner.report.model`), so a line carries the same
fields as the JSON report: the finding's, then the occurrence's. Each line has a
``kind``: ``occurrence``, ``error`` or ``warning``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from scanner.report.model import Report


def lines(report: Report) -> Iterator[str]:
    for finding in report.findings:
        head = finding.head_json()
        for occurrence in finding.occurrences:
            yield _dump({"kind": "occurrence", **head, **occurrence.to_json()})
    for error in report.errors:
        yield _dump({"kind": "error", **error.to_json()})
    for warning in report.warnings or ():
        yield _dump({"kind": "warning", **warning.to_json()})


def render(report: Report) -> str:
    return "".join(line + "\n" for line in lines(report))


def _dump(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))
