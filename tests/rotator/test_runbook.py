from __future__ import annotations

import pytest

from keyguard.rehearsal.klaviyo_standin import KlaviyoStandin
from plugins.pattern import Secret
from rotator.errors import ConflictError, GateError, LockedError
from rotator.operator import Waiting
from rotator.recorder import Event
from rotator.states import State
from tests.support.keys import make_key
from tests.support.openbao import Bao
from tests.support.rotation import ScriptedOperator, make_runbook, make_scene


def test_full_rotation_in_process(bao: Bao, klaviyo: KlaviyoStandin) -> None:
    scene = make_scene(bao, klaviyo)
    events: list[Event] = []
    runbook, close = make_runbook(scene, events)

    def revoke() -> bool:
        scene.disable(scene.old_key)
        return True

    operator = ScriptedOperator(new_key=lambda j: Secret(scene.new_key), on_revoke=revoke)
    outcome = runbook.run(operator)
    close()

    assert outcome.journal.state is State.DONE
    assert scene.vault_versions() == {1: scene.old_key, 2: scene.new_key}
    custom = scene.custom_metadata()
    assert custom["keyguard_state"] == "DONE"
    assert custom["keyguard_new_version"] == "2"
    assert not [k for k in custom if k.startswith("keyguard_lock_")]
    assert next(e.kind for e in events) == "started"
    assert [e.kind for e in events][-1] == "done"


def test_waits_for_new_key_then_continues(bao: Bao, klaviyo: KlaviyoStandin) -> None:
    scene = make_scene(bao, klaviyo)
    events: list[Event] = []
    runbook, close = make_runbook(scene, events)
    first = runbook.run(ScriptedOperator(new_key=lambda j: None))
    assert first.waiting is Waiting.NEW_KEY
    second = runbook.run(ScriptedOperator(new_key=lambda j: Secret(scene.new_key)))
    close()
    assert second.waiting is Waiting.REVOKE
    assert second.journal.rotation_id == first.journal.rotation_id
    assert scene.vault_versions() == {1: scene.old_key, 2: scene.new_key}


def test_foreign_write_is_a_conflict_and_nothing_is_overwritten(
    bao: Bao, klaviyo: KlaviyoStandin
) -> None:
    scene = make_scene(bao, klaviyo)
    events: list[Event] = []
    runbook, close = make_runbook(scene, events)
    runbook.run(ScriptedOperator(new_key=lambda j: None))
    foreign = make_key("someone-else")
    mount, _, rel = scene.path.partition("/")
    bao.client().secrets.kv.v2.create_or_update_secret(
        rel, {"private_key": foreign}, mount_point=mount
    )
    with pytest.raises(ConflictError, match="written by someone else"):
        runbook.run(ScriptedOperator(new_key=lambda j: Secret(scene.new_key)))
    close()
    assert scene.vault_versions() == {1: scene.old_key, 2: foreign}
    assert scene.custom_metadata()["keyguard_state"] == "CONFLICT"


def test_a_second_process_is_refused_while_the_first_holds_the_lock(
    bao: Bao, klaviyo: KlaviyoStandin
) -> None:
    scene = make_scene(bao, klaviyo)
    events: list[Event] = []
    first, close1 = make_runbook(scene, events)
    second, close2 = make_runbook(scene, events)
    refused: list[Exception] = []

    def new_key(journal: object) -> Secret | None:
        with pytest.raises(LockedError, match="another keyguard process") as info:
            second.run(ScriptedOperator(new_key=lambda j: Secret(scene.new_key)))
        refused.append(info.value)
        return None

    first.run(ScriptedOperator(new_key=new_key))
    close1()
    close2()
    assert len(refused) == 1
    assert scene.vault_versions() == {1: scene.old_key}


def test_new_key_from_another_account_is_refused(bao: Bao, klaviyo: KlaviyoStandin) -> None:
    scene = make_scene(bao, klaviyo)
    stranger = make_key("other-account")
    klaviyo.add_key(stranger)
    runbook, close = make_runbook(scene, [])
    with pytest.raises(GateError, match="belongs to account"):
        runbook.run(ScriptedOperator(new_key=lambda j: Secret(stranger)))
    close()
    assert scene.vault_versions() == {1: scene.old_key}
    assert scene.custom_metadata()["keyguard_state"] == "AWAITING_NEW_KEY"


def test_rollback_republishes_the_old_key(bao: Bao, klaviyo: KlaviyoStandin) -> None:
    scene = make_scene(bao, klaviyo)
    runbook, close = make_runbook(scene, [])
    runbook.run(ScriptedOperator(new_key=lambda j: Secret(scene.new_key)))
    journal = runbook.rollback()
    close()
    assert journal.state is State.ROLLED_BACK
    assert scene.vault_versions() == {1: scene.old_key, 2: scene.new_key, 3: scene.old_key}
