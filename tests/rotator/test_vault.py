from __future__ import annotations

import pytest

from rotator.errors import PreflightError, VaultAccessError, VaultUnavailable
from rotator.vault import CasMismatch, VaultStore
from tests.support.openbao import Bao


def test_cas_write_and_merge_patch_keep_delete_version_after(bao: Bao) -> None:
    client = bao.client()
    path = "klaviyo/storefront"
    client.secrets.kv.v2.create_or_update_secret(path, {"private_key": "x"}, mount_point=bao.mount)
    client.secrets.kv.v2.update_metadata(path, delete_version_after="720h", mount_point=bao.mount)
    store = VaultStore(client, bao.path(path))

    store.patch_custom({"a": "1", "b": "2"})
    store.patch_custom({"a": None, "c": "3"})
    meta = store.metadata()
    assert meta is not None
    assert dict(meta.custom) == {"b": "2", "c": "3"}
    raw = client.secrets.kv.v2.read_secret_metadata(path, mount_point=bao.mount)["data"]
    assert raw["delete_version_after"] == "720h0m0s"

    assert store.write({"private_key": "y"}, cas=1) == 2
    with pytest.raises(CasMismatch, match="check-and-set"):
        store.write({"private_key": "z"}, cas=1)
    assert store.read(1) == {"private_key": "x"}
    assert store.read(2) == {"private_key": "y"}
    assert store.metadata().current_version == 2  # type: ignore[union-attr]


def test_kv_v1_is_refused(bao: Bao) -> None:
    client = bao.client()
    client.sys.enable_secrets_engine("kv", path=bao.mount + "-v1", options={"version": "1"})
    try:
        with pytest.raises(PreflightError, match="KV version 1"):
            VaultStore(client, f"{bao.mount}-v1/x").check_kv2()
    finally:
        client.sys.disable_secrets_engine(bao.mount + "-v1")


def test_bad_token_and_down_server_are_one_line_errors(bao: Bao) -> None:
    with pytest.raises(VaultAccessError, match="token expired"):
        VaultStore(bao.client(token="not-a-token"), bao.path()).metadata()
    down = VaultStore(hvac_client_for("http://127.0.0.1:9"), bao.path())
    with pytest.raises(VaultUnavailable, match="cannot reach Vault"):
        down.metadata()


def hvac_client_for(addr: str) -> object:
    import hvac

    return hvac.Client(url=addr, token="t")
