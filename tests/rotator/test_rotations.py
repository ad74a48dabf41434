"""Which key a rotation retired, from a real rotation's journal in OpenBao and its audit log."""

from __future__ import annotations

import json
from pathlib import Path

from keyguard.rehearsal.klaviyo_standin import KlaviyoStandin
from keyguard.rotate.session import event_record
from plugins.pattern import Secret, fingerprint
from rotator.audit_log import AuditLog
from rotator.recorder import Event
from rotator.rotations import AuditProblem, combine, from_journal, read_audit, rotations_in
from rotator.states import State
from tests.support.keys import make_key
from tests.support.openbao import Bao
from tests.support.rotation import Scene, ScriptedOperator, make_runbook, make_scene


def _rotate(scene: Scene, log: AuditLog, old: str, new: str | None) -> State:
    events: list[Event] = []

    def revoke() -> bool:
        scene.disable(old)
        return True

    operator = ScriptedOperator(
        new_key=lambda journal: Secret(new) if new else None, on_revoke=revoke
    )
    runbook, close = make_runbook(scene, events)
    try:
        outcome = runbook.run(operator)
    finally:
        close()
    for event in events:
        log.append(event_record(event, scene.path))
    return outcome.journal.state


def test_completed_rotations_name_the_keys_they_retired(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    scene = make_scene(bao, klaviyo)
    log = AuditLog(tmp_path / "audit.jsonl")
    assert _rotate(scene, log, scene.old_key, scene.new_key) is State.DONE

    latest = from_journal(scene.path, scene.custom_metadata())
    assert latest is not None
    assert latest.done
    assert latest.old_fp == fingerprint(scene.old_key)
    assert latest.new_fp == fingerprint(scene.new_key)
    assert latest.finished_at

    (logged,) = read_audit(log.path).rotations
    assert logged.rotation_id == latest.rotation_id
    assert (logged.old_fp, logged.base_version, logged.state) == (latest.old_fp, 1, State.DONE)
    assert logged.finished_at

    # A second rotation clears the journal's record of the first: the log still has it.
    third = make_key(f"rotations-third-{bao.mount}")
    klaviyo.add_key(third, account=scene.account)
    assert _rotate(scene, log, scene.new_key, third) is State.DONE
    journal = from_journal(scene.path, scene.custom_metadata())
    assert journal is not None
    assert journal.old_fp == fingerprint(scene.new_key)
    known = combine([journal], read_audit(log.path).rotations, lambda path, v: None)
    first = known.retired(fingerprint(scene.old_key))
    assert first is not None
    assert first.rotation_id == logged.rotation_id
    second = known.retired(fingerprint(scene.new_key))
    assert second is not None
    assert second.rotation_id == journal.rotation_id
    assert known.retired(fingerprint(third)) is None


def test_a_log_that_names_no_retired_key_is_matched_by_its_base_version(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    scene = make_scene(bao, klaviyo)
    log = AuditLog(tmp_path / "audit.jsonl")
    _rotate(scene, log, scene.old_key, scene.new_key)
    records = [json.loads(line) for line in log.path.read_text().splitlines()]
    for record in records:  # as logs were written before the done event named the key
        record.pop("old_fp", None)
    (rotation,) = rotations_in(records)
    assert rotation.old_fp is None
    versions = {1: fingerprint(scene.old_key), 2: fingerprint(scene.new_key)}
    known = combine([], [rotation], lambda path, v: versions.get(v) if path == scene.path else None)
    found = known.retired(fingerprint(scene.old_key))
    assert found is not None
    assert found.rotation_id == rotation.rotation_id


def test_a_rotation_under_way_and_an_edited_log(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    scene = make_scene(bao, klaviyo)
    log = AuditLog(tmp_path / "audit.jsonl")
    assert _rotate(scene, log, scene.old_key, None) is State.AWAITING_NEW_KEY
    journal = from_journal(scene.path, scene.custom_metadata())
    assert journal is not None
    known = combine([journal], read_audit(log.path).rotations, lambda path, v: None)
    under_way = known.under_way(fingerprint(scene.old_key))
    assert under_way is not None
    assert under_way.state is State.AWAITING_NEW_KEY
    assert known.retired(fingerprint(scene.old_key)) is None

    lines = log.path.read_text().splitlines()
    lines[0] = lines[0].replace('"started"', '"begun"')
    log.path.write_text("\n".join(lines) + "\n")
    edited = read_audit(log.path)
    assert edited.problem is AuditProblem.BROKEN_CHAIN
    assert edited.lines == (2,)
    assert read_audit(tmp_path / "none.jsonl").problem is AuditProblem.MISSING
