"""Disable the old key through Klaviyo's beta API-keys endpoints, instead of the UI.

The API never shows a whole key, so the old key is found by its redacted form (the
last characters): exactly one active key must match, or a human must do it in the UI.
"""

from __future__ import annotations

from collections.abc import Callable

from plugins.klaviyo_api import KlaviyoApiError, KlaviyoClient
from plugins.pattern import Secret
from rotator.errors import GateError, KlaviyoUnavailable


def disabler(client: KlaviyoClient, admin_key: Secret) -> Callable[[Secret], None]:
    def disable(old: Secret) -> None:
        tail = old.reveal()[-4:]
        try:
            keys = client.list_api_keys(admin_key)
        except KlaviyoApiError as exc:
            raise KlaviyoUnavailable(
                f"listing API keys failed ({exc}); disable the old key in the UI and resume "
                "with --confirm-revoked"
            ) from None
        matches = [
            k
            for k in keys
            if k.redacted_key and k.redacted_key.endswith(tail) and k.status != "disabled"
        ]
        if len(matches) != 1:
            raise GateError(
                f"{len(matches)} active keys end in {tail}, so the old key cannot be told apart "
                "by the API; disable it in the UI and resume with --confirm-revoked"
            )
        try:
            client.disable_api_key(admin_key, matches[0].id)
        except KlaviyoApiError as exc:
            raise KlaviyoUnavailable(
                f"disabling key {matches[0].id} failed ({exc}); disable it in the UI and resume "
                "with --confirm-revoked"
            ) from None

    return disable
