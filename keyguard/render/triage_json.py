"""``keyguard triage --format json``: the triage as one document for machines."""

from __future__ import annotations

import json

from keyguard.render.triage_purge import plan_json
from keyguard.triage.model import KeyTriage, Note, RotationRef, Triage
from keyguard.triage.purge import PurgePlan
from scanner.findings import account_json
from scanner.report.exposure import Exposure

#: Raised when a field changes meaning or a required one is added.
TRIAGE_SCHEMA_VERSION = 1

JSONValue = dict[str, object]


def exposure_json(e: Exposure) -> JSONValue:
    return {
        "repositories": list(e.repositories),
        "refs": list(e.refs),
        "pull_refs": list(e.pull_refs),
        "tags": list(e.tags),
        "paths": [str(p) for p in e.places],
        "at_head": [str(p) for p in e.at_head],
        "in_worktree": [str(p) for p in e.in_worktree],
        "sites": list(e.sites),
        "first_committed": e.first_committed,
        "first_commit": e.first_commit,
    }


def rotation_json(r: RotationRef | None) -> JSONValue | None:
    if r is None:
        return None
    return {
        "id": r.rotation_id,
        "state": r.state,
        "retired_at": r.retired_at if r.retired else None,
        "target": r.target,
        "path": r.path,
        "started_at": r.started_at,
        "replacing": r.replacing,
    }


def key_json(k: KeyTriage, *, show_secrets: bool) -> JSONValue:
    out: JSONValue = {"fingerprint": k.fingerprint, "redacted": k.redacted}
    if show_secrets and k.secret is not None:
        out["secret"] = k.secret.reveal()
    out.update(
        status=k.status.status.value,
        status_reason=k.status.reason,
        status_source=k.status.source.value,
        account=account_json(k.status.account),
        exposure=exposure_json(k.exposure),
        vault=[
            {"target": v.target, "path": v.path, "version": v.version, "current": v.current}
            for v in k.vault
        ],
        rotation=rotation_json(k.rotation),
        kind=k.kind.value,
        verdict=k.verdict,
        next=k.next,
    )
    return out


def note_json(n: Note) -> JSONValue:
    return {"subject": n.subject, "message": n.text, "unchecked": n.unchecked}


def render(triage: Triage, *, show_secrets: bool = False, plan: PurgePlan | None = None) -> str:
    document: JSONValue = {
        "triage_version": TRIAGE_SCHEMA_VERSION,
        "generated_at": triage.generated_at,
        "targets": triage.targets,
        "keys": [key_json(k, show_secrets=show_secrets) for k in triage.keys],
        "notes": [note_json(n) for n in triage.notes],
    }
    if plan is not None:
        document["purge_plan"] = plan_json(plan)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
