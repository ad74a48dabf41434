"""SARIF 2.1.0 (checked against the official schema) and JSON Lines renderings of a sweep."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from plugins.pattern import fingerprint
from scanner.fleet import sweep_many
from scanner.report import jsonl, sarif
from scanner.report.model import Report
from scanner.sweep import SweepOptions
from tests.support.history import build_corners

SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"


def corner_report(tmp_path: Path) -> tuple[Report, dict[str, str]]:
    corners = build_corners(tmp_path / "shop")
    missing = str(tmp_path / "missing")
    result = sweep_many([str(corners.repo), missing], SweepOptions())
    return Report.of_sweep(result), corners.keys


def test_sarif_is_valid_2_1_0_and_redacted(tmp_path: Path) -> None:
    report, keys = corner_report(tmp_path)
    text = sarif.render(report, tool_version="1.2.3")
    document = json.loads(text)
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(document, schema, cls=jsonschema.Draft4Validator)
    assert not any(key in text for key in keys.values())
    (run,) = document["runs"]
    (rule,) = run["tool"]["driver"]["rules"]
    assert rule["id"] == sarif.RULE_ID
    assert rule["properties"]["security-severity"]
    results = run["results"]
    assert len(results) == sum(len(f.occurrences) for f in report.findings)
    fingerprints = {r["partialFingerprints"]["klaviyoKeySha256/v1"] for r in results}
    assert fingerprints == {fingerprint(k) for k in keys.values()}
    deleted = next(
        r
        for r in results
        if r["partialFingerprints"]["klaviyoKeySha256/v1"] == fingerprint(keys["deleted"])
    )
    location = deleted["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "config/settings.py"
    assert location["region"] == {"startLine": 1, "startColumn": 8}
    assert "introduced in commit" in deleted["message"]["text"]
    assert "pk_…" + keys["deleted"][-4:] in deleted["message"]["text"]
    assert deleted["properties"]["commit"]
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False  # the missing target
    assert "missing" in invocation["toolExecutionNotifications"][0]["message"]["text"]


def test_jsonl_has_one_occurrence_per_line_with_provenance(tmp_path: Path) -> None:
    report, keys = corner_report(tmp_path)
    records = [json.loads(line) for line in jsonl.render(report).splitlines()]
    occurrences = [r for r in records if r["kind"] == "occurrence"]
    assert len(occurrences) == sum(len(f.occurrences) for f in report.findings)
    assert {r["fingerprint"] for r in occurrences} == {fingerprint(k) for k in keys.values()}
    assert all({"path", "line", "column", "blob", "refs"} <= r.keys() for r in occurrences)
    assert [r["path"] for r in records if r["kind"] == "error"] == [str(tmp_path / "missing")]


def test_json_report_has_scan_shape_plus_provenance(tmp_path: Path) -> None:
    report = corner_report(tmp_path)[0].to_json()
    assert {"schema_version", "findings", "errors", "stats", "warnings", "targets"} == report.keys()
    finding = report["findings"][0]
    assert {"fingerprint", "type", "redacted", "occurrences"} <= finding.keys()
    occurrence = finding["occurrences"][0]
    assert {
        "path",
        "line",
        "column",
        "repository",
        "blob",
        "commit",
        "author_date",
        "author",
        "refs",
        "at_head",
        "in_worktree",
    } <= occurrence.keys()
