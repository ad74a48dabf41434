"""Preflight: is this secret safe to rotate with this token, before anything is written."""

from __future__ import annotations

from dataclasses import dataclass

from plugins.errors import ErrorKind
from plugins.pattern import Secret, is_key
from rotator import gates
from rotator.checker import KeyChecker
from rotator.errors import PreflightError
from rotator.vault import SecretMeta, VaultStore

#: KV v2 keeps 10 versions when neither the secret nor the mount says otherwise.
DEFAULT_MAX_VERSIONS = 10
#: The base version must survive the new write, so rollback can re-publish it.
MIN_VERSIONS = 2
NEEDED = {"data": ("read", "update"), "metadata": ("read", "patch")}


@dataclass(frozen=True)
class Preflight:
    current_version: int
    old_key: Secret


def check(store: VaultStore, meta: SecretMeta, field: str, *, min_ttl_seconds: int) -> Preflight:
    store.check_kv2()
    token = store.token_info()
    if token.ttl and token.ttl < min_ttl_seconds:
        raise PreflightError(
            f"the Vault token expires in {token.ttl}s, too soon to finish a rotation; "
            "log in again for a longer token"
        )
    data_path, meta_path = store.api_paths()
    caps = store.capabilities([data_path, meta_path])
    for path, kind in ((data_path, "data"), (meta_path, "metadata")):
        have = caps[path]
        if "root" in have:
            continue
        missing = [c for c in NEEDED[kind] if c not in have]
        if missing:
            raise PreflightError(
                f"the Vault token lacks {', '.join(missing)} on {path}; "
                "grant it in the policy, then run the rotation again"
            )
    max_versions = meta.max_versions or store.mount_max_versions() or DEFAULT_MAX_VERSIONS
    if max_versions < MIN_VERSIONS:
        raise PreflightError(
            f"{store.secret_path} keeps only {max_versions} version; the old version would be "
            "lost on write and rollback would be impossible; raise max_versions to at least 2"
        )
    data = store.read(meta.current_version) or {}
    value = data.get(field)
    if not isinstance(value, str) or not is_key(value):
        raise PreflightError(
            f"version {meta.current_version} of {store.secret_path} has no Klaviyo key in field "
            f"'{field}'",
            kind=ErrorKind.NO_KEY_IN_FIELD,
        )
    return Preflight(current_version=meta.current_version, old_key=Secret(value))


def dry_run(
    store: VaultStore,
    checker: KeyChecker,
    field: str,
    *,
    new_key: Secret | None,
    min_ttl_seconds: int,
) -> list[str]:
    """Every check a rotation makes before writing, without writing; returns what passed."""
    meta = store.metadata()
    if meta is None:
        raise PreflightError(f"there is no secret at {store.secret_path}; store the key first")
    found = check(store, meta, field, min_ttl_seconds=min_ttl_seconds)
    passed = [
        f"Vault: {store.secret_path} is KV v2 at version {found.current_version}, "
        "the token can read, write and journal it",
    ]
    account = gates.old_key_is_live(checker, found.old_key)
    passed.append(f"Klaviyo: the current key is live (account {account or 'not readable'})")
    if new_key is not None:
        gates.new_key_is_acceptable(
            checker, new_key, old_fp=found.old_key.fingerprint, account_id=account
        )
        passed.append("Klaviyo: the new key is well-formed, different, live, same account")
    return passed
