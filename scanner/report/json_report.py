"""The JSON report: ``{"findings": [...], "errors": [...]}``, one finding per distinct key."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from scanner.findings import Finding, Occurrence, ScanResult
from scanner.report import jsontext

if TYPE_CHECKING:
    from plugins.client.responses import Account


def occurrence_dict(occurrence: Occurrence) -> dict[str, Any]:
    out: dict[str, Any] = {
        "path": occurrence.path,
        "line": occurrence.line,
        "column": occurrence.column,
        "byte_column": occurrence.byte_column,
        "encoding": occurrence.encoding,
    }
    if occurrence.original is not None:
        out["original"] = asdict(occurrence.original)
    if occurrence.provenance is not None:
        prov = asdict(occurrence.provenance)
        prov["refs"] = list(occurrence.provenance.refs)
        out.update(prov)
    return out


def account_dict(account: Account | None) -> dict[str, Any] | None:
    """The account a key belongs to, as every JSON report writes it (nothing personal)."""
    if account is None:
        return None
    return {
        "id": account.id,
        "public_key": account.public_key,
        "test_account": account.test_account,
    }


def finding_dict(finding: Finding, *, show_secrets: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "fingerprint": finding.fingerprint,
        "type": finding.type,
        "redacted": finding.redacted,
        "status": finding.status,
        "account": account_dict(finding.account),
    }
    if finding.status_reason is not None:
        out["status_reason"] = finding.status_reason
    if show_secrets:
        out["secret"] = finding.secret.reveal()
    out["occurrences"] = [occurrence_dict(o) for o in finding.occurrences]
    return out


def report_dict(result: ScanResult, *, show_secrets: bool = False) -> dict[str, Any]:
    return {
        "findings": [finding_dict(f, show_secrets=show_secrets) for f in result.findings],
        "errors": [{"path": e.path, "message": e.message} for e in result.errors],
        "stats": {
            "files": result.stats.files,
            "bytes": result.stats.bytes,
            "skipped_binary": result.stats.skipped_binary,
            "binary": result.stats.binary,
            "skipped_gitignored": result.stats.skipped_gitignored,
            "suppressed": result.suppressed,
        },
    }


def render(result: ScanResult, *, show_secrets: bool = False) -> str:
    document = report_dict(result, show_secrets=show_secrets)
    return jsontext.dumps(document, items=len(result.findings))
