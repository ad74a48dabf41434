"""Connect to Vault the way the ``vault``/``bao`` CLIs do, from the variables users already set.

hvac reads only some of these itself (and none of the ``BAO_*`` ones), so they are resolved
here and passed explicitly: VAULT_ADDR, VAULT_TOKEN or ``~/.vault-token``, VAULT_NAMESPACE,
VAULT_CACERT, VAULT_SKIP_VERIFY, and the same names with ``BAO_``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import hvac
import requests

from plugins.errors import ErrorKind, UsageError
from rotator.errors import VaultAccessError, VaultUnavailable

DEFAULT_ADDR = "https://127.0.0.1:8200"
AUTH_METHODS = ("token", "approle", "userpass")


def _get(environ: Mapping[str, str], name: str) -> str | None:
    for prefix in ("VAULT_", "BAO_"):
        value = environ.get(prefix + name)
        if value:
            return value
    return None


@dataclass(frozen=True)
class Connection:
    """Where and how to reach Vault (the token is a credential: never logged or shown)."""

    addr: str
    namespace: str | None
    verify: bool | str
    token: str | None

    def __repr__(self) -> str:
        return f"Connection({self.addr!r}, namespace={self.namespace!r}, verify={self.verify!r})"


def resolve(environ: Mapping[str, str], home: Path) -> Connection:
    token = _get(environ, "TOKEN")
    if token is None:
        token_file = home / ".vault-token"
        if token_file.is_file():
            token = token_file.read_text(encoding="utf-8").strip() or None
    skip = (_get(environ, "SKIP_VERIFY") or "").lower() in ("1", "true", "yes")
    cacert = _get(environ, "CACERT") or _get(environ, "CAPATH")
    verify: bool | str = False if skip else (cacert or True)
    return Connection(
        addr=_get(environ, "ADDR") or DEFAULT_ADDR,
        namespace=_get(environ, "NAMESPACE"),
        verify=verify,
        token=token,
    )


@dataclass(frozen=True)
class Login:
    method: str = "token"
    role_id: str | None = None
    username: str | None = None
    mount: str | None = None


def connect(
    conn: Connection,
    login: Login,
    *,
    secret: Callable[[str], str],
) -> hvac.Client:
    """An authenticated client; *secret* supplies an AppRole secret id or a password."""
    client = hvac.Client(url=conn.addr, namespace=conn.namespace, verify=conn.verify)
    try:
        if login.method == "token":
            if not conn.token:
                raise VaultAccessError("no Vault token", kind=ErrorKind.NOT_LOGGED_IN)
            client.token = conn.token
        elif login.method == "approle":
            if not login.role_id:
                raise UsageError(
                    "AppRole login needs a role id",
                    kind=ErrorKind.VAULT_LOGIN_INCOMPLETE,
                    method="approle",
                    missing="role_id",
                )
            client.auth.approle.login(
                role_id=login.role_id,
                secret_id=secret("AppRole secret id"),
                mount_point=login.mount or "approle",
            )
        elif login.method == "userpass":
            if not login.username:
                raise UsageError(
                    "userpass login needs a username",
                    kind=ErrorKind.VAULT_LOGIN_INCOMPLETE,
                    method="userpass",
                    missing="username",
                )
            client.auth.userpass.login(
                username=login.username,
                password=secret("Vault password"),
                mount_point=login.mount or "userpass",
            )
        else:
            choices = ", ".join(AUTH_METHODS)
            raise UsageError(
                f"unknown Vault login method {login.method!r} (known: {choices})",
                kind=ErrorKind.VAULT_AUTH_UNKNOWN,
                method=login.method,
                choices=choices,
            )
    except hvac.exceptions.VaultError:
        raise VaultAccessError(
            f"Vault login ({login.method}) at {conn.addr} was refused; check the credentials"
        ) from None
    except requests.exceptions.RequestException as exc:
        raise VaultUnavailable(
            f"cannot reach Vault at {conn.addr} ({type(exc).__name__}); check VAULT_ADDR"
        ) from None
    return client
