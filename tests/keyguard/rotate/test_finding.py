"""``keyguard rotate --finding FINGERPRINT``: the target whose current version holds a key."""

from __future__ import annotations

import shlex
from pathlib import Path

from keyguard.rehearsal.klaviyo_standin import KlaviyoStandin
from plugins.pattern import fingerprint
from tests.support.openbao import Bao
from tests.support.triage import build_scene


def test_the_target_serving_the_key_is_rotated(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    scene = build_scene(tmp_path, bao, klaviyo)
    prefix = fingerprint(scene.keys["current"])[:12]
    base = ["rotate", "--config", str(scene.config), "--audit-log", str(scene.audit_log)]
    started = scene.keyguard(*base, "--finding", prefix, "--non-interactive")
    assert started.code == 10, started.stderr  # waiting for the new key: storefront's
    status = scene.keyguard(*base, "status", "--target", "storefront", "--format", "json")
    assert '"state": "AWAITING_NEW_KEY"' in status.stdout
    billing = scene.keyguard(*base, "status", "--target", "billing", "--format", "json")
    assert '"state": null' in billing.stdout


def test_a_key_no_target_or_several_targets_serve_is_refused_in_one_line(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    scene = build_scene(tmp_path, bao, klaviyo)
    base = ["rotate", "--config", str(scene.config), "--non-interactive", "--finding"]
    old = scene.keyguard(*base, fingerprint(scene.keys["old"]))  # only in version 1
    assert old.code == 2
    assert old.stderr.count("\n") == 1, old.stderr
    assert "no configured target's current version holds the key" in old.stderr
    assert "(3 compared)" in old.stderr

    scene.put("shop", {"private_key": scene.keys["current"]})
    both = scene.keyguard(*base, fingerprint(scene.keys["current"])[:16])
    assert both.code == 2
    assert both.stderr.count("\n") == 1, both.stderr
    assert "current version of 2 targets (shop, storefront)" in both.stderr

    short = scene.keyguard(*base, fingerprint(scene.keys["current"])[:8])
    assert short.code == 2
    assert "first 12 hex digits" in short.stderr
    for run in (old, both, short):
        assert "Traceback" not in run.stderr
        assert not any(key in run.stdout + run.stderr for key in scene.leaks())


def test_the_next_step_of_a_triage_runs_as_printed(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    scene = build_scene(tmp_path, bao, klaviyo)
    report = scene.sweep()
    keys = scene.triage(report, "--format", "json").keys()
    words = shlex.split(keys[fingerprint(scene.keys["current"])]["next"])
    assert words[:2] == ["keyguard", "rotate"]
    pasted = scene.keyguard(*words[1:], "--non-interactive")
    assert pasted.code == 10, pasted.stderr
