"""The gates a rotation must pass. Each returns a value or raises a one-line GateError."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from plugins.errors import ErrorKind
from plugins.key_status import KeyStatus
from plugins.pattern import Secret, is_key, short_fingerprint
from rotator.checker import KeyChecker, account_of, status_of
from rotator.errors import GateError, KlaviyoUnavailable, MalformedNewKey, NewKeyRejected


def _unavailable(what: str, reason: str) -> KlaviyoUnavailable:
    return KlaviyoUnavailable(
        f"Klaviyo gave no usable answer for the {what} ({reason}); nothing was changed",
        kind=ErrorKind.KLAVIYO_NO_ANSWER,
    )


def old_key_is_live(checker: KeyChecker, old: Secret) -> str | None:
    """Gate 0: the key being replaced still works; returns its account id (if readable)."""
    check = checker.check(old)
    status = status_of(check)
    if status == KeyStatus.UNKNOWN:
        raise _unavailable("current key", check.reason)
    if status == KeyStatus.REVOKED:
        raise GateError(
            f"the key in Vault (fingerprint {short_fingerprint(old.fingerprint)}) is already "
            "rejected by Klaviyo; put the working key in Vault before rotating it"
        )
    return account_of(check)


def new_key_is_acceptable(
    checker: KeyChecker, new: Secret, *, old_fp: str | None, account_id: str | None
) -> None:
    """Gate 1: well-formed, not the old key, alive, and on the same account as the old key."""
    if not is_key(new.reveal()):
        raise MalformedNewKey(
            "the new key is not a Klaviyo private key (pk_ + 34 hex); copy the whole key again"
        )
    if new.fingerprint == old_fp:
        raise NewKeyRejected("the new key is the key being replaced; create a new key in Klaviyo")
    check = checker.check(new)
    status = status_of(check)
    if status == KeyStatus.UNKNOWN:
        raise _unavailable("new key", check.reason)
    if status == KeyStatus.REVOKED:
        raise NewKeyRejected("Klaviyo rejects the new key; check that you copied the whole key")
    if account_id is not None:
        if status == KeyStatus.LIMITED and account_of(check) is None:
            raise NewKeyRejected(
                "the new key cannot read its account (add the accounts:read scope) so its "
                "account cannot be compared with the old key's; create it with that scope"
            )
        if account_of(check) != account_id:
            raise NewKeyRejected(
                f"the new key belongs to account {account_of(check)}, not {account_id}; "
                "create the key in the same Klaviyo account"
            )


def old_key_is_dead(checker: KeyChecker, old: Secret) -> bool:
    """Whether Klaviyo already rejects the old key (rollback must not publish a dead key)."""
    check = checker.check(old)
    if status_of(check) == KeyStatus.UNKNOWN:
        raise _unavailable("old key", check.reason)
    return status_of(check) == KeyStatus.REVOKED


@dataclass(frozen=True)
class Polling:
    timeout: float = 300.0
    interval: float = 2.0
    max_interval: float = 30.0
    factor: float = 1.5


def revocation_is_effective(
    checker: KeyChecker,
    old: Secret,
    new: Secret,
    *,
    polling: Polling,
    sleep: Callable[[float], None],
    monotonic: Callable[[], float],
) -> None:
    """Gate 3: the old key gets 401 while the new key still works, polled with backoff.

    Klaviyo may take a moment to stop accepting a disabled key, so the old key is
    asked again until the deadline. A rejected *new* key fails at once: the human
    disabled the wrong key, and every consumer is now broken.
    """
    deadline = monotonic() + polling.timeout
    interval = polling.interval
    last = "no answer yet"
    while True:
        new_status = status_of(checker.check(new))
        if new_status == KeyStatus.REVOKED:
            raise GateError(
                f"Klaviyo rejects the NEW key ({new.redacted}): the wrong key was disabled; "
                "re-enable it in Settings -> API Keys, disable the old one, then resume"
            )
        old_status = status_of(checker.check(old))
        if old_status == KeyStatus.REVOKED and new_status in (KeyStatus.LIVE, KeyStatus.LIMITED):
            return
        last = f"old key {old_status}, new key {new_status}"
        if monotonic() + interval > deadline:
            break
        sleep(interval)
        interval = min(interval * polling.factor, polling.max_interval)
    if KeyStatus.UNKNOWN in last:
        raise _unavailable("revocation check", last)
    raise GateError(
        f"the old key ({old.redacted}) still works after {polling.timeout:g}s ({last})",
        kind=ErrorKind.OLD_KEY_NOT_DISABLED,
    )
