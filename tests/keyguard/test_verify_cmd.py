"""``keyguard verify`` as a user runs it: a subprocess talking HTTP to the stand-in."""

from __future__ import annotations

import json
import socket
from pathlib import Path

from keyguard.rehearsal.klaviyo_standin import Fault, KeyState, KlaviyoStandin
from plugins.pattern import fingerprint, redact
from tests.support.keys import make_key
from tests.support.klaviyo_cli import run_keyguard


def test_mixed_keys_json_live_first_and_exit_1(klaviyo: KlaviyoStandin, tmp_path: Path) -> None:
    live, limited, revoked = make_key("v-live"), make_key("v-limited"), make_key("v-revoked")
    klaviyo.add_key(live, account=klaviyo.add_account("Pub123", test_account=True))
    klaviyo.add_key(limited, state=KeyState.LIMITED)
    stdin = f"{revoked}\n{limited}\nKLAVIYO_KEY={live}\n{live}\n"
    proc = run_keyguard("verify", "--format", "json", cwd=tmp_path, url=klaviyo.url, stdin=stdin)
    assert proc.returncode == 1, proc.stderr
    results = json.loads(proc.stdout)["results"]
    assert [r["status"] for r in results] == ["live", "limited", "revoked"]
    first = results[0]
    assert first["fingerprint"] == fingerprint(live)
    assert first["redacted"] == redact(live)
    assert first["account"] == {"id": "Pub123", "public_key": "Pub123", "test_account": True}
    assert results[2]["account"] is None
    assert set(first) == {"fingerprint", "redacted", "status", "account", "reason"}
    assert len(klaviyo.log) == 3  # the repeated key was asked about once


def test_all_revoked_exits_0(klaviyo: KlaviyoStandin, tmp_path: Path) -> None:
    gone = make_key("gone")
    klaviyo.add_key(gone, state=KeyState.DISABLED)
    stdin = f"{gone}\n{make_key('never')}\n"
    proc = run_keyguard("verify", cwd=tmp_path, url=klaviyo.url, stdin=stdin)
    assert proc.returncode == 0, proc.stderr
    assert "2 revoked" in proc.stdout


def test_none_live_some_unknown_exits_3(klaviyo: KlaviyoStandin, tmp_path: Path) -> None:
    flaky = make_key("flaky-cli")
    klaviyo.add_key(flaky)
    klaviyo.inject(Fault.error(503), times=None, fingerprint=fingerprint(flaky))
    proc = run_keyguard("verify", cwd=tmp_path, url=klaviyo.url, stdin=f"{flaky}\n")
    assert proc.returncode == 3, proc.stderr
    assert "UNKNOWN" in proc.stdout
    assert "503" in proc.stdout
    assert "1 key checked: 1 unknown" in proc.stdout


def test_from_report_with_secrets_and_with_keys_on_stdin(
    klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    shown, piped, lost = make_key("r-shown"), make_key("r-piped"), make_key("r-lost")
    for key in (shown, piped):
        klaviyo.add_key(key)
    findings = [
        {"fingerprint": fingerprint(shown), "redacted": redact(shown), "secret": shown},
        {"fingerprint": fingerprint(piped), "redacted": redact(piped)},
        {"fingerprint": fingerprint(lost), "redacted": redact(lost)},
    ]
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"findings": findings}))
    proc = run_keyguard(
        "verify", "--from-report", str(report), "--format", "json",
        cwd=tmp_path, url=klaviyo.url, stdin=f"{piped}\n",
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    by_fp = {r["fingerprint"]: r for r in json.loads(proc.stdout)["results"]}
    assert by_fp[fingerprint(shown)]["status"] == "live"
    assert by_fp[fingerprint(piped)]["status"] == "live"
    assert by_fp[fingerprint(lost)]["status"] == "unknown"
    assert "no key for this fingerprint" in by_fp[fingerprint(lost)]["reason"]


def test_lines_without_keys_are_counted_not_echoed(klaviyo: KlaviyoStandin, tmp_path: Path) -> None:
    proc = run_keyguard(
        "verify", cwd=tmp_path, url=klaviyo.url, stdin="hunter2-not-a-key\n\n# comment\n"
    )
    assert proc.returncode == 2  # nothing was checked: not "every key revoked"
    assert "1 input line held no Klaviyo key" in proc.stderr
    assert "no Klaviyo key in the input: nothing was checked" in proc.stderr
    assert proc.stdout == ""
    assert "hunter2" not in proc.stdout + proc.stderr
    assert len(klaviyo.log) == 0


def test_empty_input_is_a_usage_error_and_says_nothing_was_checked(
    klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    proc = run_keyguard("verify", "--format", "json", cwd=tmp_path, url=klaviyo.url, stdin="")
    assert proc.returncode == 2
    assert proc.stderr == "keyguard: error: no Klaviyo key in the input: nothing was checked\n"
    assert proc.stdout == ""


def test_bad_url_is_a_usage_error(tmp_path: Path) -> None:
    proc = run_keyguard(
        "verify", "--klaviyo-url", "ftp://x", cwd=tmp_path, stdin=make_key("u") + "\n"
    )
    assert proc.returncode == 2
    assert "not http(s)" in proc.stderr


def test_no_key_in_anything_printed_or_written_under_hostile_conditions(
    klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    """Hygiene: hang, 5xx, garbage, TLS failure and a dead proxy; search every byte out."""
    keys = [make_key(f"hygiene-{i}") for i in range(6)]
    for key in keys:
        klaviyo.add_key(key)
    klaviyo.inject(Fault.hang(), fingerprint=fingerprint(keys[0]))
    klaviyo.inject(Fault.error(500), times=None, fingerprint=fingerprint(keys[1]))
    klaviyo.inject(Fault.garbage(), times=None, fingerprint=fingerprint(keys[2]))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead_proxy = f"http://127.0.0.1:{s.getsockname()[1]}"
    stdin = "\n".join(keys) + "\n"
    runs = [
        run_keyguard("verify", "-o", str(tmp_path / "out.txt"), "--klaviyo-timeout", "0.5",
                     cwd=tmp_path, url=klaviyo.url, stdin=stdin),
        run_keyguard("verify", "--format", "json", "--klaviyo-timeout", "0.5",
                     cwd=tmp_path, url=klaviyo.url, stdin=stdin),
        run_keyguard("verify", cwd=tmp_path, stdin=stdin,
                     url=klaviyo.url.replace("http://", "https://")),
        run_keyguard("verify", "--format", "json", cwd=tmp_path, url=klaviyo.url, stdin=stdin,
                     env={"HTTP_PROXY": dead_proxy, "HTTPS_PROXY": dead_proxy}),
    ]  # fmt: skip
    assert [r.returncode for r in runs] == [1, 1, 3, 3]
    assert "TLS failure" in runs[2].stdout
    assert "proxy" in runs[3].stdout.lower()
    written = "".join(p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file())
    everything = written + "".join(r.stdout + r.stderr for r in runs)
    assert "Traceback" not in everything
    for key in keys:
        assert key not in everything
        assert key[3:] not in everything  # not even the body without its prefix


def test_an_unusable_report_says_why_in_words(tmp_path: Path) -> None:
    (tmp_path / "keys.txt").write_text("not json\n")
    proc = run_keyguard("verify", "--from-report", "keys.txt", cwd=tmp_path)
    assert proc.returncode == 2
    assert "keys.txt is not JSON" in proc.stderr
    assert "--format json" in proc.stderr
    assert "DecodeError" not in proc.stderr  # not a Python class name
