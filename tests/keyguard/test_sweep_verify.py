"""``keyguard sweep --verify`` / ``--only-live`` and ``keyguard merge`` of verified shards,
against the stand-in, over real git repositories."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import jsonschema

from keyguard.rehearsal.klaviyo_standin import KeyState, KlaviyoStandin
from plugins.pattern import fingerprint
from tests.support.git import GIT_ENV, commit_file, git, init_repo
from tests.support.keys import make_key
from tests.support.klaviyo_cli import run_keyguard

SARIF_SCHEMA = Path(__file__).parents[1] / "scanner" / "data" / "sarif-schema-2.1.0.json"
LABELS = ("live", "limited", "revoked")


def fleet(root: Path) -> dict[str, str]:
    """Repositories ``a`` and ``b`` under *root*; the live key is committed to both."""
    keys = {label: make_key(f"sweepverify-{label}") for label in LABELS}
    a = init_repo(root / "a")
    commit_file(a, "app.env", f"KLAVIYO={keys['live']}\n", "add key")
    git(a, "rm", "-q", "app.env")
    git(a, "commit", "-q", "-m", "remove key")  # still in history
    commit_file(a, "old.txt", f"{keys['revoked']}\n")
    b = init_repo(root / "b")
    commit_file(b, "config.js", f"k='{keys['live']}';\nl='{keys['limited']}';\n")
    return keys


def sweep(standin: KlaviyoStandin, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # Wide enough that rich never wraps a table cell the tests look for.
    env = {**GIT_ENV, "COLUMNS": "200"}
    return run_keyguard("sweep", *args, cwd=cwd, url=standin.url, env=env)


def teach(standin: KlaviyoStandin, keys: dict[str, str]) -> None:
    standin.add_key(keys["live"], account=standin.add_account("Shop42"))
    standin.add_key(keys["limited"], state=KeyState.LIMITED)


def assert_no_key(keys: dict[str, str], *texts: str) -> None:
    everything = "".join(texts)
    assert everything
    for key in keys.values():
        assert key not in everything


def test_one_request_per_distinct_key_across_all_targets_live_first(
    klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    keys = fleet(tmp_path)
    teach(klaviyo, keys)
    proc = sweep(klaviyo, tmp_path, "--verify", "--format", "json", "-j", "2", "a", "b")
    assert proc.returncode == 1, proc.stderr
    findings = json.loads(proc.stdout)["findings"]
    assert [(f["fingerprint"], f["status"]) for f in findings] == [
        (fingerprint(keys[label]), label) for label in LABELS
    ]
    assert findings[0]["account"] == {"id": "Shop42", "public_key": "Shop42", "test_account": False}
    assert [f["account"] for f in findings[1:]] == [None, None]
    # The live key sits in both repositories and in a deleted file: asked about once.
    asked = sorted(entry.fingerprint or "" for entry in klaviyo.log.entries())
    assert asked == sorted(fingerprint(k) for k in keys.values())

    klaviyo.log.clear()
    console = sweep(klaviyo, tmp_path, "--verify", "a", "b")
    assert console.returncode == 1, console.stderr
    out = console.stdout
    assert out.index("LIVE ") < out.index("LIMITED ") < out.index("REVOKED ")
    assert "account Shop42" in out
    # The summary table's status column: distinct keys per target, most alarming first.
    rows = {
        line.split()[1]: line for line in out.splitlines() if line.split()[1:2] in (["a"], ["b"])
    }
    assert "1 live, 1 revoked" in rows["a"]
    assert "1 live, 1 limited" in rows["b"]
    assert "2 live" not in out  # one key, however many targets hold it
    assert len(klaviyo.log) == 3
    assert_no_key(keys, proc.stdout, proc.stderr, console.stdout, console.stderr)


def test_a_sweep_without_keys_makes_no_request(klaviyo: KlaviyoStandin, tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "clean")
    commit_file(repo, "app.py", "print('no keys here')\n")
    commit_file(repo, "notes.md", "pk_live_decoy\n")
    for flags in (["--verify"], ["--only-live", "--format", "sarif"]):
        proc = sweep(klaviyo, tmp_path, *flags, "clean")
        assert proc.returncode == 0, (flags, proc.stdout, proc.stderr)
    assert len(klaviyo.log) == 0


def test_only_live_keeps_live_and_limited_and_exits_clean_without_them(
    klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    keys = fleet(tmp_path)
    proc = sweep(klaviyo, tmp_path, "--only-live", "--format", "json", "a", "b")
    assert proc.returncode == 0, proc.stderr  # nothing taught: every key is revoked
    assert json.loads(proc.stdout)["findings"] == []
    teach(klaviyo, keys)
    proc = sweep(klaviyo, tmp_path, "--only-live", "--format", "jsonl", "a", "b")
    assert proc.returncode == 1, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert {(line["fingerprint"], line["status"]) for line in lines} == {
        (fingerprint(keys["live"]), "live"),
        (fingerprint(keys["limited"]), "limited"),
    }
    assert len(lines) == 3  # the live key twice (both repositories), the limited key once
    assert all(line["kind"] == "occurrence" for line in lines)
    assert_no_key(keys, proc.stdout, proc.stderr)


def test_sarif_carries_status_and_account_and_stays_valid(
    klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    keys = fleet(tmp_path)
    teach(klaviyo, keys)
    report = tmp_path / "sweep.sarif"
    proc = sweep(klaviyo, tmp_path, "--verify", "--format", "sarif", "-o", str(report), "a", "b")
    assert proc.returncode == 1, proc.stderr
    document = json.loads(report.read_text(encoding="utf-8"))
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(document, schema, cls=jsonschema.Draft4Validator)
    results = document["runs"][0]["results"]
    seen = {
        (
            r["partialFingerprints"]["klaviyoKeySha256/v1"],
            r["level"],
            r["properties"]["status"],
            (r["properties"]["account"] or {}).get("public_key"),
        )
        for r in results
    }
    assert seen == {
        (fingerprint(keys["live"]), "error", "live", "Shop42"),
        (fingerprint(keys["limited"]), "error", "limited", None),
        (fingerprint(keys["revoked"]), "note", "revoked", None),
    }
    assert results[0]["properties"]["status"] == "live"
    assert "Klaviyo says it is live" in results[0]["message"]["text"]
    unverified = sweep(klaviyo, tmp_path, "--format", "sarif", "a")
    levels = {(r["level"], r["properties"]["status"]) for r in _results(unverified.stdout)}
    assert levels == {("error", "unverified")}
    assert_no_key(keys, report.read_text(encoding="utf-8"), proc.stdout, unverified.stdout)


def _results(sarif_text: str) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = json.loads(sarif_text)["runs"][0]["results"]
    return results


def test_merge_keeps_verification_and_prefers_the_most_alarming_answer(
    klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    keys = fleet(tmp_path)
    teach(klaviyo, keys)
    whole = sweep(klaviyo, tmp_path, "--verify", "--format", "json", "a", "b")
    shard_a, shard_b = tmp_path / "a.json", tmp_path / "b.json"
    # Shard a verified while the live key still worked; shard b never verified.
    for args in (["--verify", "-o", str(shard_a), "a"], ["-o", str(shard_b), "b"]):
        assert sweep(klaviyo, tmp_path, "--format", "json", *args).returncode == 1
    merged = run_keyguard("merge", str(shard_b), str(shard_a), cwd=tmp_path)
    assert merged.returncode == 1, merged.stderr
    findings = json.loads(merged.stdout)["findings"]
    assert [(f["fingerprint"], f["status"]) for f in findings] == [
        (fingerprint(keys["live"]), "live"),  # verified in a, unverified in b: verified
        (fingerprint(keys["limited"]), "unverified"),  # only b had it, unverified
        (fingerprint(keys["revoked"]), "revoked"),
    ]
    assert findings[0]["account"]["public_key"] == "Shop42"
    assert len(findings[0]["occurrences"]) == 2

    # Revoked since shard a ran: shard b now says revoked; the merge keeps live.
    klaviyo.set_status(fingerprint(keys["live"]), "disabled")
    args = ["--verify", "--format", "json", "-o", str(shard_b), "b"]
    assert sweep(klaviyo, tmp_path, *args).returncode == 1
    merged = run_keyguard("merge", str(shard_b), str(shard_a), cwd=tmp_path)
    findings = json.loads(merged.stdout)["findings"]
    assert [f["status"] for f in findings] == ["live", "limited", "revoked"]
    assert findings == json.loads(whole.stdout)["findings"]
    sarif = run_keyguard("merge", "--format", "sarif", str(shard_a), str(shard_b), cwd=tmp_path)
    levels = {r["properties"]["status"]: r["level"] for r in _results(sarif.stdout)}
    assert levels == {"live": "error", "limited": "error", "revoked": "note"}
    written = shard_a.read_text() + shard_b.read_text()
    assert_no_key(keys, written, merged.stdout, merged.stderr, sarif.stdout, whole.stdout)
