"""The detect-secrets plugin's ``verify()``: in process and through the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from detect_secrets.constants import VerifiedResult

from plugins.klaviyo import KlaviyoDetector
from plugins.klaviyo_standin import Fault, KeyState, KlaviyoStandin
from plugins.pattern import baseline_hash, fingerprint
from tests.support.detect_secrets_cli import DETECT_SECRETS, PLUGIN_FILE, git_repo, our_results
from tests.support.keys import make_key


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
