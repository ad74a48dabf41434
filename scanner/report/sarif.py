"""SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.

Written from the report model (:mod:`scanner.report.model`), not from live findings, so
shard results combined by ``keyguard merge`` render exactly like a single sweep. One
result per occurrence; the message shows only the redacted key; ``partialFingerprints``
carry the key's SHA-256 so a consumer tracks one leaked key across files, commits and
re-runs.

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
from urllib.parse import quote, urlsplit

from plugins.key_status import KeyStatus
from plugins.pattern import redact_keys
from scanner.findings import Occurrence, account_json
from scanner.report import jsontext
from scanner.report.model import Report, ReportFinding

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
RULE_ID = "klaviyo-private-api-key"

_HELP = (
    "A Klaviyo private API key grants access to the account's data through the Klaviyo API. "
    "A key that was ever committed stays in the git history of every clone: removing it from "
    "the code is not enough. Rotate it (create a replacement key in Klaviyo, update every "
    "consumer, then disable the old key)"
)

_RULE: dict[str, Any] = {
    "id": RULE_ID,
    "name": "KlaviyoPrivateApiKey",
    "shortDescription": {"text": "Klaviyo private API key committed"},
    "fullDescription": {
        "text": "A Klaviyo private API key (pk_…) was found in source, configuration or git "
        "history."
    },
    "help": {"text": _HELP + ".", "markdown": _HELP + "."},
    "defaultConfiguration": {"level": "error"},
    "properties": {
        "tags": ["security", "secret", "external/cwe/cwe-798"],
        "precision": "very-high",
        "problem.severity": "error",
        "security-severity": "9.1",
    },
}

#: Result level by key status; anything not listed is an error (fail closed).
LEVELS = {KeyStatus.REVOKED: "note"}


def _message(finding: ReportFinding, occurrence: Occurrence) -> str:
    text = f"{finding.type} {finding.redacted} (fingerprint {finding.fingerprint[:12]})"
    p = occurrence.provenance
    if p is not None and p.commit:
        text += f" introduced in commit {p.commit[:12]}"
        if p.author_date:
            text += f" on {p.author_date[:10]}"
    if p is not None and (p.at_head or p.in_worktree):
        text += "; still present"
    status = finding.status
    if status is KeyStatus.REVOKED:
        return text + ". Klaviyo says it is revoked."
    if status.asked:
        text += f". Klaviyo says it is {status}"
    return text + ". Rotate this key."


def _repository(occurrence: Occurrence) -> str | None:
    return None if occurrence.provenance is None else occurrence.provenance.repository


def _base_ids(report: Report) -> dict[str, str]:
    """A ``uriBaseId`` per repository when a report spans several (else none: paths are
    relative to the one repository, as code scanning of that repository expects)."""
    repositories = sorted(
        {
            repository
            for f in report.findings
            for o in f.occurrences
            if (repository := _repository(o)) is not None
        }
    )
    if len(repositories) < 2:
        return {}
    return {repository: f"REPO{i}" for i, repository in enumerate(repositories)}


def _root_uri(repository: str) -> str:
    root = Path(repository)
    if root.is_absolute():
        uri = root.as_uri()
    elif repository.startswith(("github:", "gitlab:")):
        uri = quote(repository, safe=":/")  # a remote repository's full name is a URI
    else:
        uri = quote(repository.replace("\\", "/"))
    return uri.rstrip("/") + "/"


def _original_uri_base_ids(base_ids: Mapping[str, str]) -> dict[str, Any]:
    return {
        base: {"uri": _root_uri(repository), "description": {"text": repository}}
        for repository, base in base_ids.items()
    }


#: What stays as it is in the URL of a crawled asset (RFC 3986 reserved characters and %).
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"


def _uri(path: str) -> str:
    """A file path as a relative URI reference; a crawled asset's URL stays that URL."""
    parts = urlsplit(path)
    if parts.scheme in ("http", "https") and parts.netloc:
        return quote(path, safe=_URL_SAFE)
    return quote(path.replace("\\", "/"))


def _artifact(occurrence: Occurrence, base_ids: Mapping[str, str]) -> dict[str, Any]:
    # Redacted before quoting: a percent-encoded URI keeps a key in a file name intact.
    uri = _uri(redact_keys(occurrence.path))
    location: dict[str, Any] = {"uri": uri}
    base = base_ids.get(_repository(occurrence) or "")
    if base is not None:
        location["uriBaseId"] = base
    return location


def _result(
    finding: ReportFinding, occurrence: Occurrence, base_ids: Mapping[str, str]
) -> dict[str, Any]:
    path = occurrence.path
    location_key = f"{finding.fingerprint}:{_repository(occurrence) or ''}:{path}"
    provenance = {} if occurrence.provenance is None else occurrence.provenance.to_json()
    properties = {k: v for k, v in provenance.items() if v is not None}
    verdict = finding.verdict
    properties.update(status=verdict.status.value, account=account_json(verdict.account))
    if verdict.reason:
        properties["status_reason"] = verdict.reason
    return {
        "ruleId": RULE_ID,
        "ruleIndex": 0,
        "level": LEVELS.get(verdict.status, "error"),
        "message": {"text": _message(finding, occurrence)},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": _artifact(occurrence, base_ids),
                    "region": {
                        "startLine": occurrence.line,
                        "startColumn": occurrence.column,
                    },
                }
            }
        ],
        "partialFingerprints": {
            "klaviyoKeySha256/v1": finding.fingerprint,
            "klaviyoKeyLocation/v1": hashlib.sha256(location_key.encode("utf-8")).hexdigest(),
        },
        "properties": properties,
    }


def _rule(rotate_with: str | None) -> dict[str, Any]:
    if rotate_with is None:
        return _RULE
    text = f"{_HELP}, for example with {rotate_with}."
    return {**_RULE, "help": {"text": text, "markdown": text}}


def sarif_dict(
    report: Report, *, tool_version: str, rotate_with: str | None = None
) -> dict[str, Any]:
    """The SARIF document; *rotate_with* names the tool's own way to rotate a key, which
    the rule's help offers."""
    base_ids = _base_ids(report)
    results = [
        _result(finding, occurrence, base_ids)
        for finding in report.findings
        for occurrence in finding.occurrences
    ]
    notifications = [
        {"level": "error", "message": {"text": f"{e.path}: {e.message}"}} for e in report.errors
    ] + [
        {"level": "warning", "message": {"text": f"{w.path}: {w.message}"}}
        for w in report.warnings or ()
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
                        "rules": [_rule(rotate_with)],
                    }
                },
                "columnKind": "utf16CodeUnits",
                "invocations": [
                    {
                        "executionSuccessful": not report.errors,
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "results": results,
            }
        ],
    }


def render(report: Report, *, tool_version: str, rotate_with: str | None = None) -> str:
    document = sarif_dict(report, tool_version=tool_version, rotate_with=rotate_with)
    return jsontext.dumps(document, items=len(document["runs"][0]["results"]))
