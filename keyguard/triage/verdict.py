"""What a key's situation means, and what to do next: one line each.

The verdict is decided from facts alone (status, where the key is, which targets hold
it, which rotation retired it); the next step is worded here, at the command line's edge,
with commands that run as printed (:class:`Commands` builds them from this run's options).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from keyguard.triage.model import Kind, RotationRef, Source, Status, VaultRef
from plugins.key_status import KeyStatus
from scanner.report.exposure import Exposure, Place

_MAX_PLACES = 3
KLAVIYO_KEYS = "Settings → API Keys"


@dataclass(frozen=True)
class Commands:
    """Commands as this run would print them (its --config, Vault login, audit log...)."""

    rotate: Callable[[str], str]  # a target's name -> `keyguard rotate --target NAME ...`
    again: str  # this triage again, asking Klaviyo
    purge: str  # this triage writing a history clean-up plan


@dataclass(frozen=True)
class Decision:
    kind: Kind
    verdict: str
    next: str


def _listed(items: Sequence[str]) -> str:
    shown = ", ".join(items[:_MAX_PLACES])
    more = len(items) - _MAX_PLACES
    return shown + (f" (+{more} more)" if more > 0 else "")


def _places(places: Sequence[Place]) -> str:
    return _listed([str(p) for p in places])


def where(exposure: Exposure) -> str:
    """Where a key still is now ("" when only in history)."""
    parts = []
    if exposure.at_head:
        parts.append(f"at HEAD in {_places(exposure.at_head)}")
    worktree_only = [p for p in exposure.in_worktree if p not in exposure.at_head]
    if worktree_only:
        parts.append(f"in {_places(worktree_only)}")
    if exposure.sites:
        parts.append(f"served by {_listed(list(exposure.sites))}")
    return "; ".join(parts)


def _remove(exposure: Exposure) -> str:
    files = sorted({*exposure.at_head, *exposure.in_worktree})
    steps = []
    if files:
        steps.append(f"remove it from {_places(files)}")
    if exposure.sites:
        steps.append(f"redeploy {_listed(list(exposure.sites))} without it")
    return "; ".join(steps)


def _disable(redacted: str) -> str:
    return f"disable it in Klaviyo ({KLAVIYO_KEYS}, the key ending {redacted.removeprefix('pk_')})"


def _versions(refs: Sequence[VaultRef]) -> str:
    by_target: dict[str, list[int]] = {}
    for r in refs:
        by_target.setdefault(r.target, []).append(r.version)
    return " and ".join(
        f"{t} (version{'s' if len(vs) > 1 else ''} {', '.join(map(str, sorted(vs)))})"
        for t, vs in by_target.items()
    )


def _retired(r: RotationRef) -> str:
    day = (r.retired_at or "")[:10] or "an unknown date"
    return f"retired by rotation {r.rotation_id} of {r.target} on {day}"


def decide(
    status: Status,
    exposure: Exposure,
    vault: Sequence[VaultRef],
    rotation: RotationRef | None,
    redacted: str,
    commands: Commands,
) -> Decision:
    s = status.status
    current = [v for v in vault if v.current]
    retired = rotation if rotation is not None and rotation.retired else None
    rotating = rotation if rotation is not None and retired is None else None
    if s.active:
        return _active(s, exposure, vault, current, retired, rotating, redacted, commands)
    if not s.answered:
        return _unknown(status, current, retired, commands)
    if current:
        return Decision(
            Kind.REVOKED_CURRENT,
            f"revoked, yet the current version of {_versions(current)}: its consumers fail",
            f"create a key in Klaviyo ({KLAVIYO_KEYS}) and write it to "
            + ", ".join(sorted({v.path for v in current})),
        )
    here = where(exposure)
    if retired is not None:
        if here:
            return Decision(
                Kind.RETIRED_PRESENT, f"{_retired(retired)}; still {here}", _remove(exposure)
            )
        return Decision(
            Kind.RETIRED_HISTORY,
            f"{_retired(retired)}; only in history",
            f"nothing is live; to clean the history: {commands.purge}",
        )
    if here:
        return Decision(Kind.REVOKED_PRESENT, f"revoked; still {here}", _remove(exposure))
    return Decision(
        Kind.REVOKED_HISTORY,
        "revoked; only in history",
        f"nothing is live; to clean the history: {commands.purge}",
    )


def _active(
    s: KeyStatus,
    exposure: Exposure,
    vault: Sequence[VaultRef],
    current: Sequence[VaultRef],
    retired: RotationRef | None,
    rotating: RotationRef | None,
    redacted: str,
    commands: Commands,
) -> Decision:
    if retired is not None:
        return Decision(
            Kind.RETIRED_LIVE,
            f"{_retired(retired)}, and {s} again",
            f"{_disable(redacted)} now, then find who enabled it again",
        )
    if rotating is not None and rotating.replacing:
        return Decision(
            Kind.LIVE_ROTATING,
            f"{s}; rotation {rotating.rotation_id} of {rotating.target} is replacing it "
            f"({rotating.state})",
            commands.rotate(rotating.target),
        )
    if rotating is not None:
        return Decision(
            Kind.LIVE_CURRENT,
            f"{s}, and the new key rotation {rotating.rotation_id} of {rotating.target} puts "
            f"in place ({rotating.state}): finish it, then rotate again",
            commands.rotate(rotating.target),
        )
    if current:
        targets = sorted({v.target for v in current})
        if len(targets) == 1:
            return Decision(
                Kind.LIVE_CURRENT,
                f"{s}, the current version of {_versions(current)}",
                commands.rotate(targets[0]),
            )
        return Decision(
            Kind.LIVE_CURRENT,
            f"{s}, the current version of {len(targets)} targets: {_versions(current)}; "
            "disable it only after the last is rotated",
            "; ".join(commands.rotate(t) for t in targets),
        )
    if vault:
        return Decision(
            Kind.LIVE_OLD_VERSION,
            f"{s}, in old versions of {_versions(vault)}: replaced there but never disabled",
            f"find who still uses it; {_disable(redacted)}",
        )
    here = where(exposure)
    return Decision(
        Kind.LIVE_UNSTORED,
        f"{s}, in no configured target" + (f"; {here}" if here else ""),
        f"find its consumer; {_disable(redacted)}",
    )


def _unknown(
    status: Status,
    current: Sequence[VaultRef],
    retired: RotationRef | None,
    commands: Commands,
) -> Decision:
    why = status.reason or str(status.status)
    again = (
        "pipe the key to `keyguard verify`"
        if status.source is Source.NONE and status.unchecked
        else commands.again
    )
    if current:
        # In use by a target: a rotation checks that it works before anything else.
        return Decision(
            Kind.UNCHECKED_CURRENT,
            f"{status.status} ({why}); the current version of {_versions(current)}",
            commands.rotate(sorted({v.target for v in current})[0]),
        )
    if retired is not None:
        return Decision(Kind.UNCHECKED, f"{_retired(retired)}; {status.status} ({why})", again)
    return Decision(Kind.UNCHECKED, f"{status.status} ({why})", again)
