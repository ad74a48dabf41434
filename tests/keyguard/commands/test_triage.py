"""``keyguard triage`` end to end: a real sweep of a real repository, a real OpenBao with
targets of several versions, the Klaviyo stand-in over HTTP, a rotation driven to DONE."""

from __future__ import annotations

import json
from pathlib import Path

from keyguard.rehearsal.klaviyo_standin import KlaviyoStandin
from keyguard.rehearsal.openbao import free_port
from plugins.pattern import fingerprint
from tests.support.git import commit_file, init_repo
from tests.support.in_process import run_keyguard_in_process
from tests.support.openbao import Bao
from tests.support.triage import Run, TriageScene, build_scene


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


def _notes(run: Run) -> list[str]:
    return [line for line in run.stderr.splitlines() if line.startswith("keyguard: note:")]


def test_reports_that_are_not_ours_are_one_line_each_and_the_rest_is_triaged(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    scene = build_scene(tmp_path, bao, klaviyo)
    good = scene.sweep()
    sarif = tmp_path / "sweep.sarif"
    assert scene.keyguard("sweep", scene.repo, "--format", "sarif", "-o", sarif).code == 1
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps({"schema_version": 99, "findings": []}), encoding="utf-8")
    malformed = tmp_path / "malformed.json"
    document = json.loads(good.read_text(encoding="utf-8"))
    document["findings"][0]["fingerprint"] = "abc"
    malformed.write_text(json.dumps(document), encoding="utf-8")
    missing = tmp_path / "missing.json"

    run = scene.triage(sarif, good, newer, malformed, missing, "--format", "json")
    assert run.code == 1, run.stderr  # live keys in the good report
    notes = _notes(run)
    # Four reports refused, billing's version 1 has no field, the audit log named is absent.
    assert len(notes) == 6, notes
    for path, words in (
        (sarif, "not a keyguard JSON report"),
        (newer, "schema_version 99"),
        (malformed, "fingerprint must be 64 lowercase hex digits"),
        (missing, "cannot read report"),
    ):
        (line,) = [n for n in notes if str(path) in n]
        assert words in line
    assert len(run.keys()) == 8

    refused = scene.triage(sarif, newer)
    assert refused.code == 2
    assert refused.stderr.count("\n") == 1, refused.stderr
    assert "Traceback" not in refused.stderr


def _revoked_only(scene: TriageScene) -> Path:
    """A report holding only keys that no longer work."""
    repo = init_repo(scene.root / "dead")
    commit_file(repo, "a.env", f"A={scene.keys['revoked_head']}\n")
    out = scene.root / "dead.json"
    assert scene.keyguard("sweep", repo, "--format", "json", "-o", out).code == 1
    return out


def test_an_unreachable_vault_is_one_line_and_exit_3_when_nothing_works(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    scene = build_scene(tmp_path, bao, klaviyo)
    report = _revoked_only(scene)
    env = scene.env()
    env["VAULT_ADDR"] = f"http://127.0.0.1:{free_port()}"
    done = run_keyguard_in_process(
        ["triage", str(report), "--config", str(scene.config), "--format", "json"],
        cwd=tmp_path,
        env=env,
    )
    assert done.returncode == 3, done.stderr
    (note,) = [line for line in done.stderr.splitlines() if "note:" in line]
    assert "Vault did not answer for 3 targets (storefront, billing, shop)" in note
    (key,) = json.loads(done.stdout)["keys"]
    assert key["kind"] == "revoked_present"

    no_token = {k: v for k, v in env.items() if k != "VAULT_TOKEN"}
    done = run_keyguard_in_process(
        ["triage", str(report), "--config", str(scene.config)], cwd=tmp_path, env=no_token
    )
    assert done.returncode == 3, done.stderr
    assert "no Vault token" in done.stderr


def test_a_denied_path_a_destroyed_version_and_a_key_two_targets_hold(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    scene = build_scene(tmp_path, bao, klaviyo)
    scene.put("shop", {"private_key": scene.keys["current"]})  # storefront's current key too
    kv = bao.client().secrets.kv.v2
    kv.destroy_secret_versions("klaviyo/storefront", versions=[1], mount_point=bao.mount)
    report = scene.sweep()
    root = bao.client()
    rules = "".join(
        f'path "{bao.mount}/{kind}/klaviyo/{name}" {{ capabilities = ["read"] }}\n'
        for kind in ("data", "metadata")
        for name in ("storefront", "shop")
    )
    root.sys.create_or_update_policy(f"triage-{bao.mount}", rules)
    token = root.auth.token.create(policies=[f"triage-{bao.mount}"], ttl="10m")["auth"]
    run = scene.triage(report, "--format", "json", token=token["client_token"])
    assert run.code == 1, run.stderr
    notes = _notes(run)
    assert any("denied reading" in n and "(target billing)" in n for n in notes), notes
    assert any("version 1 of" in n and "was destroyed" in n for n in notes), notes
    keys = run.keys()
    both = keys[fingerprint(scene.keys["current"])]
    assert [(v["target"], v["version"], v["current"]) for v in both["vault"]] == [
        ("shop", 2, True),
        ("storefront", 3, True),
    ]
    assert "the current version of 2 targets" in both["verdict"]
    assert both["next"].count("keyguard rotate") == 2
    # Destroyed: the old key is no longer known to be stored anywhere.
    assert keys[fingerprint(scene.keys["old"])]["kind"] == "live_unstored"
    # Billing could not be read: its key is not known to be stored.
    assert keys[fingerprint(scene.keys["billing"])]["vault"] == []
