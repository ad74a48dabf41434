"""What the rotator needs from a Klaviyo client: a structural interface, so the runbook
works with ``plugins.client.api.KlaviyoClient`` without importing HTTP code."""

from __future__ import annotations

from typing import Protocol

from plugins.key_status import KeyStatus
from plugins.pattern import Secret


class AccountLike(Protocol):
    @property
    def id(self) -> str | None: ...


class KeyCheckLike(Protocol):
    @property
    def status(self) -> KeyStatus: ...

    @property
    def account(self) -> AccountLike | None: ...

    @property
    def reason(self) -> str: ...


class KeyChecker(Protocol):
    def check(self, key: Secret) -> KeyCheckLike: ...


def status_of(check: KeyCheckLike) -> KeyStatus:
    return check.status


def account_of(check: KeyCheckLike) -> str | None:
    return check.account.id if check.account is not None else None
