"""``keyguard scan --verify`` / ``--only-live`` against the stand-in."""

from __future__ import annotations

import json
from pathlib import Path

from keyguard.rehearsal.klaviyo_standin import Fault, KeyState, KlaviyoStandin
from plugins.pattern import fingerprint, redact
from tests.support.keys import make_key
from tests.support.klaviyo_cli import run_keyguard


def tree(tmp_path: Path, **files: str) -> Path:
    root = tmp_path / "tree"
    root.mkdir()
    for name, text in files.items():
        (root / name).write_text(text)
    return root


def test_verify_adds_status_and_account_live_first(klaviyo: KlaviyoStandin, tmp_path: Path) -> None:
    revoked, live = make_key("s-revoked"), make_key("s-live")
    klaviyo.add_key(live, account=klaviyo.add_account("Site42"))
    root = tree(tmp_path, **{"a.env": f"OLD={revoked}\n", "b.js": f"k='{live}'\n"})
    proc = run_keyguard("scan", "--verify", "--format", "json", ".", cwd=root, url=klaviyo.url)
    assert proc.returncode == 1, proc.stderr
    findings = json.loads(proc.stdout)["findings"]
    assert [(f["redacted"], f["status"]) for f in findings] == [
        (redact(live), "live"),
        (redact(revoked), "revoked"),
    ]
    assert findings[0]["account"] == {"id": "Site42", "public_key": "Site42", "test_account": False}
    assert findings[1]["account"] is None
    assert len(klaviyo.log) == 2


def test_without_verify_findings_are_unverified_and_nothing_is_asked(
    klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    root = tree(tmp_path, **{"a.txt": make_key("s-plain")})
    proc = run_keyguard("scan", "--format", "json", ".", cwd=root, url=klaviyo.url)
    (finding,) = json.loads(proc.stdout)["findings"]
    assert (finding["status"], finding["account"]) == ("unverified", None)
    assert len(klaviyo.log) == 0


def test_only_live_drops_revoked_keys_and_exits_clean(
    klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    limited = make_key("s-limited")
    klaviyo.add_key(limited, state=KeyState.LIMITED)
    revoked_only = tree(tmp_path, **{"a.txt": make_key("s-dead")})
    proc = run_keyguard("scan", "--only-live", "--format", "json", ".", cwd=revoked_only,
                        url=klaviyo.url)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["findings"] == []
    (revoked_only / "b.txt").write_text(limited)
    proc = run_keyguard("scan", "--only-live", ".", cwd=revoked_only, url=klaviyo.url)
    assert proc.returncode == 1
    assert "LIMITED" in proc.stdout
    assert limited not in proc.stdout + proc.stderr


def test_console_shows_a_status_column(klaviyo: KlaviyoStandin, tmp_path: Path) -> None:
    live = make_key("s-console")
    klaviyo.add_key(live, account=klaviyo.add_account("Con123", test_account=True))
    root = tree(tmp_path, **{"a.txt": live})
    proc = run_keyguard("scan", "--verify", ".", cwd=root, url=klaviyo.url)
    assert "LIVE" in proc.stdout
    assert "account Con123 (test account)" in proc.stdout
    plain = run_keyguard("scan", ".", cwd=root)
    assert "UNVERIFIED" in plain.stdout


def test_verify_of_a_tree_without_keys_makes_no_http_request(
    klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    root = tree(tmp_path, **{"a.py": "print('no keys here')\n", "b.md": "pk_live_decoy\n"})
    proc = run_keyguard("scan", "--verify", ".", cwd=root, url=klaviyo.url)
    assert proc.returncode == 0, proc.stderr
    assert len(klaviyo.log) == 0


def test_scan_verify_never_prints_or_writes_a_key(klaviyo: KlaviyoStandin, tmp_path: Path) -> None:
    live, flaky = make_key("h-live"), make_key("h-flaky")
    klaviyo.add_key(live)
    klaviyo.add_key(flaky)
    klaviyo.inject(Fault.garbage(), times=None, fingerprint=fingerprint(flaky))
    root = tree(tmp_path, **{"a.js": f"x='{live}';y='{flaky}'\n"})
    report = tmp_path / "report.json"
    runs = [
        run_keyguard("scan", "--verify", "--format", "json", "-o", str(report), ".",
                     cwd=root, url=klaviyo.url),
        run_keyguard("scan", "--verify", ".", cwd=root, url=klaviyo.url),
    ]  # fmt: skip
    assert [r.returncode for r in runs] == [1, 1]
    statuses = {f["status"] for f in json.loads(report.read_text())["findings"]}
    assert statuses == {"live", "unknown"}
    everything = report.read_text() + "".join(r.stdout + r.stderr for r in runs)
    for key in (live, flaky):
        assert key not in everything
