"""What each situation means and what to run next: the decision table, fact by fact."""

from __future__ import annotations

import pytest

from keyguard.triage.model import Kind, RotationRef, Source, Status, VaultRef
from keyguard.triage.verdict import Commands, decide
from plugins.key_status import KeyStatus
from scanner.report.exposure import Exposure, Place

COMMANDS = Commands(lambda name: f"keyguard rotate --target {name}", "AGAIN", "PURGE")
AT_HEAD = Exposure(at_head=(Place("/r", "a.py"),), in_worktree=(Place("/r", "a.py"),))
HISTORY = Exposure(places=(Place("/r", "old.py"),))
CURRENT = VaultRef("storefront", "kv/shop", 3, True)
OLD = VaultRef("storefront", "kv/shop", 1, False)
DONE = RotationRef("r1", "DONE", "shop", "kv/shop", "2026-01-01", "2026-01-02T03:04:05", True)
UNDER_WAY = RotationRef("r2", "AWAITING_REVOKE", "shop", "kv/shop", "2026-01-01", None, True)
BRINGS = RotationRef("r3", "VAULT_UPDATED", "shop", "kv/shop", "2026-01-01", None, False)


def _status(status: KeyStatus, reason: str | None = None, *, unchecked: bool = False) -> Status:
    return Status(status, Source.KLAVIYO, reason, unchecked=unchecked)


LIVE = _status(KeyStatus.LIVE)
REVOKED = _status(KeyStatus.REVOKED)


@pytest.mark.parametrize(
    ("status", "exposure", "vault", "rotation", "kind", "next_step"),
    [
        (LIVE, AT_HEAD, (), DONE, Kind.RETIRED_LIVE, "disable it in Klaviyo (Settings"),
        (LIVE, AT_HEAD, (CURRENT,), None, Kind.LIVE_CURRENT, "keyguard rotate --target storefront"),
        (LIVE, AT_HEAD, (OLD,), UNDER_WAY, Kind.LIVE_ROTATING, "keyguard rotate --target shop"),
        (LIVE, AT_HEAD, (CURRENT,), BRINGS, Kind.LIVE_CURRENT, "keyguard rotate --target shop"),
        (LIVE, HISTORY, (OLD,), None, Kind.LIVE_OLD_VERSION, "find who still uses it"),
        (LIVE, HISTORY, (), None, Kind.LIVE_UNSTORED, "find its consumer; disable it"),
        (REVOKED, AT_HEAD, (CURRENT,), None, Kind.REVOKED_CURRENT, "create a key in Klaviyo"),
        (REVOKED, AT_HEAD, (OLD,), DONE, Kind.RETIRED_PRESENT, "remove it from /r:a.py"),
        (REVOKED, HISTORY, (OLD,), DONE, Kind.RETIRED_HISTORY, "nothing is live; to clean"),
        (REVOKED, AT_HEAD, (), None, Kind.REVOKED_PRESENT, "remove it from /r:a.py"),
        (REVOKED, HISTORY, (), None, Kind.REVOKED_HISTORY, "nothing is live; to clean the"),
    ],
)
def test_the_decision_table(
    status: Status,
    exposure: Exposure,
    vault: tuple[VaultRef, ...],
    rotation: RotationRef | None,
    kind: Kind,
    next_step: str,
) -> None:
    decision = decide(status, exposure, vault, rotation, "pk_…3f2a", COMMANDS)
    assert decision.kind is kind
    assert decision.next.startswith(next_step), decision.next
    assert "\n" not in decision.verdict + decision.next


def test_the_words_of_the_issue() -> None:
    unstored = decide(LIVE, HISTORY, (), None, "pk_…3f2a", COMMANDS)
    assert unstored.next == (
        "find its consumer; disable it in Klaviyo (Settings → API Keys, the key ending …3f2a)"
    )
    retired = decide(REVOKED, AT_HEAD, (), DONE, "pk_…3f2a", COMMANDS)
    assert retired.verdict.startswith("retired by rotation r1 of shop on 2026-01-02")
    assert decide(LIVE, AT_HEAD, (), DONE, "pk_…3f2a", COMMANDS).verdict.endswith("live again")


def test_keys_that_could_not_be_checked() -> None:
    unknown = _status(KeyStatus.UNKNOWN, "503 from Klaviyo", unchecked=True)
    assert decide(unknown, HISTORY, (), None, "pk_…", COMMANDS).next == "AGAIN"
    in_use = decide(unknown, HISTORY, (CURRENT,), None, "pk_…", COMMANDS)
    assert in_use.kind is Kind.UNCHECKED_CURRENT
    assert in_use.next == "keyguard rotate --target storefront"
    lost = Status(KeyStatus.UNVERIFIED, Source.NONE, "not checked: gone", unchecked=True)
    assert decide(lost, HISTORY, (), None, "pk_…", COMMANDS).next.startswith("pipe the key")
    assert [k for k in Kind if k.alarming][-1] is Kind.LIVE_UNSTORED
