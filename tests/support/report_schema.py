"""Checks of what keyguard writes: the report against docs/report.schema.json, JSON Lines
line by line against its line part, SARIF against the official 2.1.0 schema plus the
rules of the SARIF specification a schema cannot state (all offline)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.validators import Draft202012Validator

from scanner.report.model import Report

ROOT = Path(__file__).resolve().parents[2]
REPORT_SCHEMA: dict[str, Any] = json.loads(
    (ROOT / "docs" / "report.schema.json").read_text(encoding="utf-8")
)
SARIF_SCHEMA: dict[str, Any] = json.loads(
    (ROOT / "tests" / "scanner" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
)
_REPORT = Draft202012Validator(REPORT_SCHEMA)


def _part(name: str) -> Draft202012Validator:
    """A validator for one of the schema's ``$defs``, its references resolved in the whole."""
    return Draft202012Validator(
        {
            "$schema": REPORT_SCHEMA["$schema"],
            "$ref": f"#/$defs/{name}",
            "$defs": REPORT_SCHEMA["$defs"],
        }
    )


_LINE = _part("line")
_OCCURRENCE_LINE = _part("occurrence_line")


def check_report(text: str) -> dict[str, Any]:
    """The JSON report in *text*, valid against the schema and read back by the model
    into exactly the same document."""
    document: dict[str, Any] = json.loads(text)
    _REPORT.validate(document)
    assert Report.from_json(document).to_json() == document
    return document


def check_lines(text: str) -> list[dict[str, Any]]:
    """Each JSON Lines record in *text*, each valid against the schema's line part."""
    records = [json.loads(line) for line in text.splitlines()]
    for record in records:
        _LINE.validate(record)
        if record["kind"] == "occurrence":
            _OCCURRENCE_LINE.validate(record)
    return records


_FINGERPRINT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*/v[0-9]+$")


def check_sarif(text: str) -> dict[str, Any]:
    """The SARIF log in *text*, valid against the 2.1.0 schema and these rules of the
    specification (section numbers of SARIF 2.1.0 errata 01)."""
    log: dict[str, Any] = json.loads(text)
    jsonschema.validate(log, SARIF_SCHEMA, cls=jsonschema.Draft4Validator)
    assert log["version"] == "2.1.0"
    for run in log["runs"]:
        rules = run["tool"]["driver"]["rules"]
        assert len({rule["id"] for rule in rules}) == len(rules)  # 3.49.3: ids are unique
        for rule in rules:  # GitHub code scanning: a number from 0.0 to 10.0
            assert 0.0 <= float(rule["properties"]["security-severity"]) <= 10.0
        bases = run.get("originalUriBaseIds", {})
        for base in bases.values():
            assert base["uri"].endswith("/")  # 3.14.14: a base URI ends with a slash
        assert run["columnKind"] == "utf16CodeUnits"
        for invocation in run["invocations"]:
            errors = [n for n in invocation["toolExecutionNotifications"] if n["level"] == "error"]
            assert invocation["executionSuccessful"] is not bool(errors)
        for result in run["results"]:
            # 3.27.5, 3.27.6: ruleIndex points at the rule whose id is ruleId.
            assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
            for location in result["locations"]:
                artifact = location["physicalLocation"]["artifactLocation"]
                # 3.4.3: a URI reference, slash-separated, percent-encoded.
                assert not re.search(r"[\\\s]", artifact["uri"])
                if "uriBaseId" in artifact:  # 3.4.4: a base the run declares
                    assert artifact["uriBaseId"] in bases
            # 3.27.17: each fingerprint's name carries its version.
            assert all(_FINGERPRINT_NAME.match(name) for name in result["partialFingerprints"])
    return log
