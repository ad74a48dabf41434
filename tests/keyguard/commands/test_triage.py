"""``keyguard triage`` end to end: a real sweep of a real repository, a real OpenBao with
targets of several versions, the Klaviyo stand-in over HTTP, a rotation driven to DONE."""

from __future__ import annotations

from pathlib import Path

from keyguard.rehearsal.klaviyo_standin import KlaviyoStandin
from plugins.pattern import fingerprint
from tests.support.openbao import Bao
from tests.support.triage import TriageScene, build_scene


def _assert_no_key(scene: TriageScene, *texts: str) -> None:
    everything = "".join(texts)
    assert everything
    for key in scene.leaks():
        assert key not in everything


def test_each_key_gets_its_verdict_and_next_step(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    scene = build_scene(tmp_path, bao, klaviyo)
    scene.rotate("shop", scene.keys["retired"], scene.keys["replacement"])
    report = scene.sweep()
    klaviyo.log.clear()

    run = scene.triage(report, "--format", "json")
    assert run.code == 1, run.stderr
    keys = run.keys()
    leaked = {label: key for label, key in scene.keys.items() if label != "replacement"}
    k = {label: keys[fingerprint(key)] for label, key in leaked.items()}
    assert fingerprint(scene.keys["replacement"]) not in keys  # never committed

    current = k["current"]
    assert current["status"] == "live"
    assert current["kind"] == "live_current"
    assert current["vault"] == [
        {"target": "storefront", "path": scene.paths["storefront"], "version": 3, "current": True}
    ]
    assert current["rotation"] is None
    assert current["next"] == (
        f"keyguard rotate --config {scene.config} --target storefront --audit-log {scene.audit_log}"
    )

    assert k["old"]["kind"] == "live_old_version"
    assert k["old"]["vault"] == [
        {"target": "storefront", "path": scene.paths["storefront"], "version": 1, "current": False}
    ]
    assert "Settings → API Keys" in str(k["old"]["next"])

    pull = k["pull"]
    assert pull["kind"] == "live_unstored"
    assert pull["exposure"]["pull_refs"] == ["refs/pull/7/head"]
    assert pull["exposure"]["at_head"] == []
    assert str(pull["next"]).startswith("find its consumer; disable it in Klaviyo")
    assert scene.keys["pull"][-4:] in str(pull["next"])

    assert k["limited"]["status"] == "limited"
    assert k["limited"]["kind"] == "live_unstored"

    assert k["billing"]["vault"] == [
        {"target": "billing", "path": scene.paths["billing"], "version": 2, "current": True}
    ]

    assert k["revoked_head"]["kind"] == "revoked_present"
    assert "legacy.js" in str(k["revoked_head"]["next"])
    assert k["revoked_gone"]["kind"] == "revoked_history"
    assert "--purge-plan" in str(k["revoked_gone"]["next"])

    retired = k["retired"]
    assert retired["status"] == "revoked"
    assert retired["kind"] == "retired_present"
    rotation = retired["rotation"]
    assert isinstance(rotation, dict)
    assert rotation["state"] == "DONE"
    assert rotation["retired_at"]
    assert f"retired by rotation {rotation['id']} of shop" in str(retired["verdict"])
    assert retired["vault"] == [
        {"target": "shop", "path": scene.paths["shop"], "version": 1, "current": False}
    ]

    # Most dangerous first, and one request per distinct key.
    kinds = [str(v["kind"]) for v in keys.values()]
    assert kinds.index("live_current") < kinds.index("revoked_present")
    assert kinds[-1] == "revoked_history"
    asked = sorted(e.fingerprint or "" for e in klaviyo.log.entries())
    assert asked == sorted(keys)

    notes = [line for line in run.stderr.splitlines() if line.startswith("keyguard: note:")]
    assert any("version 1 of" in n and "has no field 'private_key'" in n for n in notes), notes

    console = scene.triage(report)
    assert console.code == 1, console.stderr
    assert "Act now: these keys work" in console.stdout
    assert "LIVE CURRENT" in console.stdout
    _assert_no_key(scene, run.stdout, run.stderr, console.stdout, console.stderr)


def test_a_retired_key_live_again_is_the_most_alarming(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    scene = build_scene(tmp_path, bao, klaviyo)
    scene.rotate("shop", scene.keys["retired"], scene.keys["replacement"])
    report = scene.sweep("verified.json", "--verify")  # the report itself says revoked
    klaviyo.set_status(fingerprint(scene.keys["retired"]), "active")  # someone re-enabled it
    swept_live = scene.sweep("live.json", "--verify")  # ...and a later sweep says live

    run = scene.triage(swept_live, report, "--format", "json")
    assert run.code == 1, run.stderr
    first = next(iter(run.keys().values()))
    assert first["fingerprint"] == fingerprint(scene.keys["retired"])
    assert first["kind"] == "retired_live"
    assert "and live again" in str(first["verdict"])
    assert str(first["next"]).startswith("disable it in Klaviyo")


def test_no_verify_asks_nothing_and_uses_what_the_report_says(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    scene = build_scene(tmp_path, bao, klaviyo)
    report = scene.sweep()
    klaviyo.log.clear()
    run = scene.triage(report, "--no-verify", "--format", "json")
    assert not klaviyo.log.entries()
    statuses = {str(v["status"]) for v in run.keys().values()}
    assert statuses == {"unverified"}
    assert run.code == 0, run.stderr  # nothing known to work, nothing failed to be checked
    verified = scene.sweep("verified.json", "--verify")
    klaviyo.log.clear()
    again = scene.triage(verified, "--format", "json")
    assert not klaviyo.log.entries()  # the report's answers are used
    assert {str(v["status_source"]) for v in again.keys().values()} == {"report"}
