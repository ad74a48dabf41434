"""The beta API-keys resource as keyguard sees it: a description of a key, never the key."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from plugins.pattern import Secret

#: Write scopes whose joint presence marks a key as "full access" in the inventory.
CORE_WRITE_SCOPES = frozenset(
    f"{r}:write"
    for r in ("campaigns", "catalogs", "events", "flows", "lists", "profiles", "templates")
)


@dataclass(frozen=True)
class ApiKeyInfo:
    """One private key as the beta ``GET /api/api-keys`` describes it (never the key itself)."""

    id: str
    name: str | None
    status: str | None
    scopes: tuple[str, ...]
    created: datetime | None
    redacted_key: str | None

    @property
    def full_access(self) -> bool:
        return "full_access" in self.scopes or set(self.scopes) >= CORE_WRITE_SCOPES


def _parse_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def api_key_info(resource: Any) -> ApiKeyInfo | None:
    if not isinstance(resource, dict) or resource.get("id") is None:
        return None
    attrs = resource.get("attributes")
    attrs = attrs if isinstance(attrs, dict) else {}
    scopes = attrs.get("scopes")
    return ApiKeyInfo(
        id=str(resource["id"]),
        name=attrs.get("name") if isinstance(attrs.get("name"), str) else None,
        status=attrs.get("status") if isinstance(attrs.get("status"), str) else None,
        scopes=tuple(str(s) for s in scopes) if isinstance(scopes, list) else (),
        created=_parse_datetime(attrs.get("created")),
        redacted_key=attrs.get("redacted_key")
        if isinstance(attrs.get("redacted_key"), str)
        else None,
    )


def same_suffix(keys: Iterable[ApiKeyInfo], secret: Secret) -> list[ApiKeyInfo]:
    """The listed keys whose redacted form ends like *secret* (its last four characters)."""
    suffix = secret.reveal()[-4:]
    return [k for k in keys if k.redacted_key is not None and k.redacted_key.endswith(suffix)]
