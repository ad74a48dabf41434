"""A KV v2 secret in Vault (or OpenBao), with check-and-set writes and merge-PATCH metadata.

Only the few KV v2 calls the runbook needs, each mapped to a one-line error. The raw
adapter is used instead of hvac's helpers because hvac's ``update_metadata`` re-sends
every metadata field (resetting ``delete_version_after``) and its errors carry no advice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import hvac
import requests
from hvac.adapters import RawAdapter

from plugins.errors import ErrorKind
from rotator.errors import (
    ConflictError,
    PreflightError,
    RotationError,
    VaultAccessError,
    VaultUnavailable,
)

MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}


class CasMismatch(ConflictError):
    """The data write's check-and-set version was not the secret's current version."""


@dataclass(frozen=True)
class SecretMeta:
    """The non-secret half of a KV v2 secret."""

    current_version: int
    max_versions: int
    custom: Mapping[str, str]
    live_versions: tuple[int, ...]
    #: Versions the metadata still lists whose data is gone: version -> "destroyed" or
    #: "deleted" (a soft delete, undone by ``undelete``).
    gone: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TokenInfo:
    ttl: int  # seconds; 0 means the token never expires
    renewable: bool


class VaultStore:
    """One secret ``MOUNT/PATH`` on one Vault; the mount is resolved from the server."""

    def __init__(self, client: hvac.Client, secret_path: str) -> None:
        self._adapter = RawAdapter.from_adapter(client.adapter)
        self.secret_path = secret_path.strip("/")
        self.addr: str = client.adapter.base_uri
        self._mount: str | None = None
        self._path: str | None = None

    # -- plumbing --------------------------------------------------------------
    def _call(
        self, method: str, url: str, *, action: str, ok_404: bool = False, **kwargs: Any
    ) -> requests.Response | None:
        try:
            resp: requests.Response = self._adapter.request(
                method, url, raise_exception=False, **kwargs
            )
        except requests.exceptions.RequestException as exc:
            raise VaultUnavailable(
                f"cannot reach Vault at {self.addr} to {action} ({type(exc).__name__})",
                kind=ErrorKind.VAULT_UNREACHABLE,
            ) from None
        if resp.ok:
            return resp
        if resp.status_code == 404 and ok_404:
            return None
        detail = _errors(resp)
        if resp.status_code in (401, 403):
            raise VaultAccessError(
                f"Vault refused to {action} on {self.secret_path} ({detail}): the token expired "
                "or lacks the capability",
                kind=ErrorKind.VAULT_REFUSED,
            )
        if resp.status_code >= 500:
            raise VaultUnavailable(
                f"Vault failed to {action} ({resp.status_code}: {detail})",
                kind=ErrorKind.VAULT_FAILING,
            )
        if "check-and-set" in detail:
            raise CasMismatch(
                f"{self.secret_path} changed in Vault while the rotation ran (check-and-set "
                "failed); nothing was overwritten",
                kind=ErrorKind.CAS_FAILED,
            )
        raise RotationError(f"Vault could not {action} ({resp.status_code}: {detail})")

    def _resolve(self) -> tuple[str, str]:
        if self._mount is None or self._path is None:
            resp = self._call(
                "GET", f"/v1/sys/internal/ui/mounts/{self.secret_path}", action="look up the mount"
            )
            assert resp is not None
            data = resp.json().get("data") or {}
            mount = str(data.get("path", "")).strip("/")
            if not mount or data.get("type") not in ("kv", "generic"):
                raise PreflightError(
                    f"{self.secret_path} is not on a KV secrets engine", kind=ErrorKind.NOT_ON_KV
                )
            if str((data.get("options") or {}).get("version", "1")) != "2":
                raise PreflightError(
                    f"mount {mount}/ is KV version 1, which has no versions and no check-and-set; "
                    f"upgrade it (`bao kv enable-versioning {mount}`) or use a KV v2 mount"
                )
            self._mount = mount
            self._path = self.secret_path[len(mount) :].strip("/")
            if not self._path:
                raise PreflightError(
                    f"{self.secret_path} is the mount {mount}/ itself, not a secret inside it",
                    kind=ErrorKind.PATH_IS_A_MOUNT,
                )
        return self._mount, self._path

    def _url(self, kind: str) -> str:
        mount, path = self._resolve()
        return f"/v1/{mount}/{kind}/{path}"

    # -- what the runbook uses -------------------------------------------------
    def check_kv2(self) -> None:
        self._resolve()

    def api_paths(self) -> tuple[str, str]:
        """The data and metadata API paths, as policies and capability checks name them."""
        return self._url("data")[4:], self._url("metadata")[4:]

    def metadata(self) -> SecretMeta | None:
        resp = self._call("GET", self._url("metadata"), action="read metadata", ok_404=True)
        if resp is None:
            return None
        data = resp.json()["data"]
        versions = {int(v): info for v, info in (data.get("versions") or {}).items()}
        gone = {
            v: "destroyed" if info.get("destroyed") else "deleted"
            for v, info in versions.items()
            if info.get("destroyed") or info.get("deletion_time")
        }
        return SecretMeta(
            current_version=int(data.get("current_version") or 0),
            max_versions=int(data.get("max_versions") or 0),
            custom=dict(data.get("custom_metadata") or {}),
            live_versions=tuple(sorted(v for v in versions if v not in gone)),
            gone=dict(sorted(gone.items())),
        )

    def read(self, version: int) -> dict[str, Any] | None:
        """The data of one version (holds the key: keep it in memory only)."""
        resp = self._call(
            "GET",
            self._url("data"),
            action=f"read version {version}",
            ok_404=True,
            params={"version": version},
        )
        if resp is None:
            return None
        data = resp.json()["data"].get("data")
        return dict(data) if isinstance(data, dict) else None

    def write(self, data: Mapping[str, Any], *, cas: int) -> int:
        """Write a new version only if *cas* is still the current version; returns the new one."""
        resp = self._call(
            "POST",
            self._url("data"),
            action="write the new version",
            json={"options": {"cas": cas}, "data": dict(data)},
        )
        assert resp is not None
        return int(resp.json()["data"]["version"])

    def patch_custom(self, updates: Mapping[str, str | None]) -> None:
        """Merge *updates* into custom_metadata (``None`` deletes a key) and touch nothing else."""
        self._call(
            "PATCH",
            self._url("metadata"),
            action="update the rotation journal",
            json={"custom_metadata": dict(updates)},
            headers=dict(MERGE_PATCH),
        )

    def mount_max_versions(self) -> int | None:
        """The mount-wide ``max_versions``, or None when the token may not read it."""
        mount, _ = self._resolve()
        try:
            resp = self._call("GET", f"/v1/{mount}/config", action="read the mount config")
        except VaultAccessError:
            return None
        assert resp is not None
        return int(resp.json()["data"].get("max_versions") or 0)

    def capabilities(self, paths: list[str]) -> dict[str, frozenset[str]]:
        resp = self._call(
            "POST",
            "/v1/sys/capabilities-self",
            action="check the token's capabilities",
            json={"paths": paths},
        )
        assert resp is not None
        body = resp.json()
        data = body.get("data") or body
        return {p: frozenset(data.get(p) or ()) for p in paths}

    def token_info(self) -> TokenInfo:
        resp = self._call("GET", "/v1/auth/token/lookup-self", action="look up the token")
        assert resp is not None
        data = resp.json()["data"]
        return TokenInfo(ttl=int(data.get("ttl") or 0), renewable=bool(data.get("renewable")))


def _errors(resp: requests.Response) -> str:
    try:
        errors = resp.json().get("errors") or []
    except ValueError:
        errors = []
    text = "; ".join(str(e) for e in errors) or resp.reason or "no detail"
    return " ".join(text.split())[:200]
