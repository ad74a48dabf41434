"""SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.

Rendered from the JSON document, not from live findings, so shard results combined by
``keyguard merge`` render exactly like a single sweep. One result per occurrence; the
message shows only the redacted key; ``partialFingerprints`` carry the key's SHA-256 so
a consumer tracks one leaked key across files, commits and re-runs.

With ``--verify`` each result's ``properties`` carry the key's ``status`` and ``account``,
and its ``level`` follows the status: a revoked key is a ``note`` (it grants nothing any
more; removing it from history is hygiene, not an incident), every other status stays an
``error``: live and limited keys work, and an unverified or unknown key may.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from plugins.pattern import SECRET_TYPE, redact_keys
from scanner.findings import PROVENANCE_FIELDS, UNVERIFIED
from scanner.report import jsontext

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
RULE_ID = "klaviyo-private-api-key"

_HELP = (
    "A Klaviyo private API key grants access to the account's data through the Klaviyo API. "
    "A key that was ever committed stays in the git history of every clone: removing it from "
    "the code is not enough. Rotate it (create a replacement key in Klaviyo, update every "
    "consumer, then disable the old key), for example with `keyguard rotate`."
)

_RULE: dict[str, Any] = {
    "id": RULE_ID,
    "name": "KlaviyoPrivateApiKey",
    "shortDescription": {"text": "Klaviyo private API key committed"},
    "fullDescription": {
        "text": "A Klaviyo private API key (pk_…) was found in source, configuration or git "
        "history."
    },
    "help": {"text": _HELP, "markdown": _HELP},
    "defaultConfiguration": {"level": "error"},
    "properties": {
        "tags": ["security", "secret", "external/cwe/cwe-798"],
        "precision": "very-high",
        "problem.severity": "error",
        "security-severity": "9.1",
    },
}

#: Result level by key status; anything not listed is an error (fail closed).
LEVELS = {"revoked": "note"}

_PROVENANCE_KEYS = PROVENANCE_FIELDS


def _message(finding: Mapping[str, Any], occurrence: Mapping[str, Any]) -> str:
    text = (
        f"{finding.get('type', SECRET_TYPE)} {finding['redacted']} "
        f"(fingerprint {finding['fingerprint'][:12]})"
    )
    commit = occurrence.get("commit")
    if commit:
        text += f" introduced in commit {commit[:12]}"
        if occurrence.get("author_date"):
            text += f" on {occurrence['author_date'][:10]}"
    if occurrence.get("at_head") or occurrence.get("in_worktree"):
        text += "; still present"
    status = finding.get("status", UNVERIFIED)
    if status == "revoked":
        return text + ". Klaviyo says it is revoked."
    if status != UNVERIFIED:
        text += f". Klaviyo says it is {status}"
    return text + ". Rotate this key."


def _base_ids(report: Mapping[str, Any]) -> dict[str, str]:
    """A ``uriBaseId`` per repository when a report spans several (else none: paths are
    relative to the one repository, as code scanning of that repository expects)."""
    repositories = sorted(
        {
            o["repository"]
            for f in report["findings"]
            for o in f["occurrences"]
            if isinstance(o.get("repository"), str)
        }
    )
    if len(repositories) < 2:
        return {}
    return {repository: f"REPO{i}" for i, repository in enumerate(repositories)}


def _root_uri(repository: str) -> str:
    root = Path(repository)
    uri = root.as_uri() if root.is_absolute() else quote(repository.replace("\\", "/"))
    return uri.rstrip("/") + "/"


def _original_uri_base_ids(base_ids: Mapping[str, str]) -> dict[str, Any]:
    return {
        base: {"uri": _root_uri(repository), "description": {"text": repository}}
        for repository, base in base_ids.items()
    }


def _artifact(occurrence: Mapping[str, Any], base_ids: Mapping[str, str]) -> dict[str, Any]:
    # Redacted before quoting: a percent-encoded URI keeps a key in a file name intact.
    uri = quote(redact_keys(occurrence["path"]).replace("\\", "/"))
    location: dict[str, Any] = {"uri": uri}
    base = base_ids.get(occurrence.get("repository") or "")
    if base is not None:
        location["uriBaseId"] = base
    return location


def _result(
    finding: Mapping[str, Any], occurrence: Mapping[str, Any], base_ids: Mapping[str, str]
) -> dict[str, Any]:
    path = occurrence["path"]
    location_key = f"{finding['fingerprint']}:{occurrence.get('repository', '')}:{path}"
    properties = {k: occurrence[k] for k in _PROVENANCE_KEYS if occurrence.get(k) is not None}
    status = finding.get("status", UNVERIFIED)
    properties.update(status=status, account=finding.get("account"))
    if finding.get("status_reason"):
        properties["status_reason"] = finding["status_reason"]
    return {
        "ruleId": RULE_ID,
        "ruleIndex": 0,
        "level": LEVELS.get(status, "error"),
        "message": {"text": _message(finding, occurrence)},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": _artifact(occurrence, base_ids),
                    "region": {
                        "startLine": occurrence["line"],
                        "startColumn": occurrence["column"],
                    },
                }
            }
        ],
        "partialFingerprints": {
            "klaviyoKeySha256/v1": finding["fingerprint"],
            "klaviyoKeyLocation/v1": hashlib.sha256(location_key.encode("utf-8")).hexdigest(),
        },
        "properties": properties,
    }


def sarif_dict(report: Mapping[str, Any], *, tool_version: str) -> dict[str, Any]:
    base_ids = _base_ids(report)
    results = [
        _result(finding, occurrence, base_ids)
        for finding in report["findings"]
        for occurrence in finding["occurrences"]
    ]
    notifications = [
        {"level": "error", "message": {"text": f"{e['path']}: {e['message']}"}}
        for e in report.get("errors", [])
    ] + [
        {"level": "warning", "message": {"text": f"{w['path']}: {w['message']}"}}
        for w in report.get("warnings", [])
    ]
    run: dict[str, Any] = {}
    if base_ids:
        run["originalUriBaseIds"] = _original_uri_base_ids(base_ids)
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                **run,
                "tool": {
                    "driver": {
                        "name": "keyguard",
                        "version": tool_version,
                        "rules": [_RULE],
                    }
                },
                "columnKind": "utf16CodeUnits",
                "invocations": [
                    {
                        "executionSuccessful": not report.get("errors"),
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "results": results,
            }
        ],
    }


def render(report: Mapping[str, Any], *, tool_version: str) -> str:
    document = sarif_dict(report, tool_version=tool_version)
    return jsontext.dumps(document, items=len(document["runs"][0]["results"]))
