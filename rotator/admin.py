"""What an admin key (beta API-keys endpoints) adds: the new key's scopes, and disabling
the old key without the UI.

The API never shows a whole key, so a key is found by its redacted form (the last
characters): exactly one active key must match, or a human must do it in the UI.
"""

from __future__ import annotations

from collections.abc import Callable

from plugins.client.api import ApiKeyInfo, KlaviyoApiError, KlaviyoClient
from plugins.errors import ErrorKind
from plugins.pattern import Secret
from rotator.errors import GateError, KlaviyoUnavailable
from rotator.operator import OldKey


def _find(
    client: KlaviyoClient, admin_key: Secret, key: Secret, kind: ErrorKind, what: str = ""
) -> ApiKeyInfo:
    try:
        return client.find_api_key(admin_key, key)
    except KlaviyoApiError as exc:
        raise GateError(f"{exc}; {what}" if what else str(exc), kind=kind) from None


def scope_reader(client: KlaviyoClient, admin_key: Secret) -> Callable[[Secret], frozenset[str]]:
    """The scopes Klaviyo lists for a key (``full_access`` stands for every scope)."""

    def scopes(key: Secret) -> frozenset[str]:
        info = _find(
            client, admin_key, key, ErrorKind.STEP_FAILED, "check the new key's scopes in the UI"
        )
        return frozenset(info.scopes) | ({"full_access"} if info.full_access else set())

    return scopes


def disabler(client: KlaviyoClient, admin_key: Secret) -> Callable[[Secret], None]:
    def disable(old: Secret) -> None:
        by_hand = ErrorKind.OLD_KEY_NOT_DISABLED
        found = _find(client, admin_key, old, by_hand)
        try:
            client.disable_api_key(admin_key, found.id)
        except KlaviyoApiError as exc:
            raise KlaviyoUnavailable(
                f"disabling key {found.id} failed ({exc})", kind=by_hand
            ) from None

    return disable


def describer(client: KlaviyoClient, admin_key: Secret) -> Callable[[Secret], OldKey]:
    """The old key's Klaviyo name and creation date, so a person disables the right one;
    just its last characters when the API cannot say (the question is asked anyway)."""

    def describe(key: Secret) -> OldKey:
        try:
            info = client.find_api_key(admin_key, key)
        except KlaviyoApiError:
            return OldKey(key.redacted)
        created = info.created.date().isoformat() if info.created else None
        return OldKey(key.redacted, info.name, created)

    return describe
