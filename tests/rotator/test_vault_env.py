from __future__ import annotations

from pathlib import Path

import pytest

from rotator.errors import VaultAccessError
from rotator.vault_env import Login, connect, resolve
from tests.support.openbao import Bao


def test_vault_names_win_over_bao_names_and_token_file(tmp_path: Path) -> None:
    (tmp_path / ".vault-token").write_text("from-file\n")
    conn = resolve(
        {
            "BAO_ADDR": "http://b:1",
            "VAULT_ADDR": "http://v:1",
            "BAO_NAMESPACE": "team",
            "BAO_CACERT": "/ca.pem",
        },
        tmp_path,
    )
    assert (conn.addr, conn.namespace, conn.verify, conn.token) == (
        "http://v:1",
        "team",
        "/ca.pem",
        "from-file",
    )
    assert "from-file" not in repr(conn)
    assert resolve({"VAULT_SKIP_VERIFY": "true", "BAO_TOKEN": "t"}, tmp_path).verify is False


def test_approle_and_userpass_logins(bao: Bao, tmp_path: Path) -> None:
    root = bao.client()
    suffix = bao.mount
    root.sys.enable_auth_method("approle", path=f"approle-{suffix}")
    root.sys.enable_auth_method("userpass", path=f"userpass-{suffix}")
    root.write_data(f"auth/approle-{suffix}/role/rot", data={"token_policies": ["default"]})
    role_id = root.read(f"auth/approle-{suffix}/role/rot/role-id")["data"]["role_id"]
    secret_id = root.write_data(f"auth/approle-{suffix}/role/rot/secret-id")["data"]["secret_id"]
    root.write_data(f"auth/userpass-{suffix}/users/ana", data={"password": "pw-ana"})
    conn = resolve({"VAULT_ADDR": bao.addr}, tmp_path)

    approle = connect(
        conn,
        Login("approle", role_id=role_id, mount=f"approle-{suffix}"),
        secret=lambda what: secret_id,
    )
    assert approle.is_authenticated()
    userpass = connect(
        conn,
        Login("userpass", username="ana", mount=f"userpass-{suffix}"),
        secret=lambda what: "pw-ana",
    )
    assert userpass.is_authenticated()
    with pytest.raises(VaultAccessError, match="was refused"):
        connect(
            conn,
            Login("userpass", username="ana", mount=f"userpass-{suffix}"),
            secret=lambda what: "wrong",
        )
    root.sys.disable_auth_method(f"approle-{suffix}")
    root.sys.disable_auth_method(f"userpass-{suffix}")
