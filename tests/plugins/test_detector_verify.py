"""The detect-secrets plugin's ``verify()``: in process and through the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest
from detect_secrets.constants import VerifiedResult

from keyguard.rehearsal.klaviyo_standin import Fault, KeyState, KlaviyoStandin
from plugins.detector_verify import HOOK_DEADLINE
from plugins.klaviyo import KlaviyoDetector
from plugins.pattern import baseline_hash, fingerprint
from tests.support.detect_secrets_cli import (
    DETECT_SECRETS,
    PLUGIN_FILE,
    git_repo,
    our_results,
    scan_to_baseline,
)
from tests.support.keys import make_key
from tests.support.tcp_proxy import silent_server


def test_verify_maps_each_status(klaviyo: KlaviyoStandin, monkeypatch: pytest.MonkeyPatch) -> None:
    live, limited, revoked, flaky = (make_key(f"ds-{n}") for n in ("live", "lim", "rev", "flaky"))
    klaviyo.add_key(live)
    klaviyo.add_key(limited, state=KeyState.LIMITED)
    klaviyo.add_key(flaky)
    klaviyo.inject(Fault.error(503), times=None, fingerprint=fingerprint(flaky))
    monkeypatch.setenv("KEYGUARD_KLAVIYO_URL", klaviyo.url)
    monkeypatch.setenv("KEYGUARD_VERIFY", "off")
    assert KlaviyoDetector().verify(live) is VerifiedResult.UNVERIFIED
    assert len(klaviyo.log) == 0
    monkeypatch.delenv("KEYGUARD_VERIFY")
    detector = KlaviyoDetector()
    assert detector.verify(live) is VerifiedResult.VERIFIED_TRUE
    assert detector.verify(limited) is VerifiedResult.VERIFIED_TRUE
    assert detector.verify(revoked) is VerifiedResult.VERIFIED_FALSE
    assert detector.verify(flaky) is VerifiedResult.UNVERIFIED
    assert detector.verify(live) is VerifiedResult.VERIFIED_TRUE  # from the run cache
    assert sum(e.fingerprint == fingerprint(live) for e in klaviyo.log.entries()) == 1
    assert detector.verify("pk_not-a-key") is VerifiedResult.UNVERIFIED


def detect_secrets_scan(repo: Path, url: str, *args: str) -> list[dict[str, object]]:
    """The real CLI, with the plugin loaded by file path and keyguard NOT on PYTHONPATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PYTHON"))}
    env = {k: v for k, v in env.items() if "proxy" not in k.lower() and k != "KEYGUARD_VERIFY"}
    env["KEYGUARD_KLAVIYO_URL"] = url
    proc = subprocess.run(
        [str(DETECT_SECRETS), "scan", "--plugin", str(PLUGIN_FILE), *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return our_results(json.loads(proc.stdout))


def test_detect_secrets_only_verified_keeps_live_and_limited_keys(
    klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    live, limited, revoked = make_key("cli-live"), make_key("cli-lim"), make_key("cli-rev")
    klaviyo.add_key(live)
    klaviyo.add_key(limited, state=KeyState.LIMITED)
    klaviyo.add_key(revoked, state=KeyState.DISABLED)
    repo = git_repo(
        tmp_path / "repo",
        {
            "a.py": f'LIVE = "{live}"\nOLD = "{revoked}"\n',
            "b.env": f"KEY={limited}\nAGAIN={live}\n",
        },
    )
    results = detect_secrets_scan(repo, klaviyo.url, "--only-verified")
    assert {(r["filename"], r["hashed_secret"]) for r in results} == {
        ("a.py", baseline_hash(live)),
        ("b.env", baseline_hash(limited)),
        ("b.env", baseline_hash(live)),
    }
    assert all(r["is_verified"] for r in results)
    asked = {e.fingerprint for e in klaviyo.log.entries()}
    assert asked == {fingerprint(k) for k in (live, limited, revoked)}


def test_detect_secrets_no_verify_makes_no_request(klaviyo: KlaviyoStandin, tmp_path: Path) -> None:
    key = make_key("cli-noverify")
    klaviyo.add_key(key)
    repo = git_repo(tmp_path / "repo", {"a.py": f'K = "{key}"\n'})
    (result,) = detect_secrets_scan(repo, klaviyo.url, "--no-verify")
    assert result["hashed_secret"] == baseline_hash(key)
    assert result["is_verified"] is False
    assert len(klaviyo.log) == 0


def _hook(repo: Path, url: str, *files: str, verify: str | None) -> tuple[int, float]:
    """The real ``detect-secrets-hook`` with our plugin; its exit code and wall time."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PYTHON"))}
    env = {k: v for k, v in env.items() if "proxy" not in k.lower() and k != "KEYGUARD_VERIFY"}
    env["KEYGUARD_KLAVIYO_URL"] = url
    if verify is not None:
        env["KEYGUARD_VERIFY"] = verify
    hook = DETECT_SECRETS.with_name("detect-secrets-hook")
    started = time.monotonic()
    proc = subprocess.run(
        [str(hook), "--plugin", str(PLUGIN_FILE), "--baseline", ".secrets.baseline", *files],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return proc.returncode, time.monotonic() - started


def test_detect_secrets_hook_never_verifies_by_default(tmp_path: Path) -> None:
    known, new = make_key("hook-known"), make_key("hook-new")
    repo = git_repo(tmp_path / "repo", {"a.py": f'K = "{known}"\n'})
    scan_to_baseline(repo)
    (repo / "b.py").write_text(f'N = "{new}"\n')
    with silent_server() as hung:
        assert _hook(repo, hung.addr, "a.py", verify=None)[0] == 0  # baselined: passes
        assert _hook(repo, hung.addr, "a.py", "b.py", verify=None)[0] == 1  # new key: blocked
        assert hung.connections == 0


def test_detect_secrets_hook_verifies_within_one_deadline_when_asked(tmp_path: Path) -> None:
    keys = [make_key(f"hook-deadline-{n}") for n in range(3)]
    repo = git_repo(tmp_path / "repo", {"a.py": "print('clean')\n"})
    scan_to_baseline(repo)
    for n, key in enumerate(keys):
        (repo / f"k{n}.py").write_text(f'K = "{key}"\n')
    files = [f"k{n}.py" for n in range(len(keys))]
    with silent_server() as hung:
        rc_off, offline = _hook(repo, hung.addr, *files, verify=None)
        rc_on, asked = _hook(repo, hung.addr, *files, verify="1")
        assert hung.connections >= 1  # it did try
    assert rc_off == rc_on == 1  # unverified keys still block the commit
    # One deadline for the whole run, not one per key or per attempt.
    assert asked - offline < HOOK_DEADLINE + 1.5, (offline, asked)
