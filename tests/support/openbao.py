"""A real OpenBao dev server for the whole session, and a fresh KV v2 mount per test."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import hvac
import pytest

from keyguard.rehearsal.openbao import DevServer, DevServerInfo


@dataclass(frozen=True)
class Bao:
    """One test's view of the server: its address, root token and private KV v2 mount."""

    addr: str
    token: str
    mount: str

    def client(self, token: str | None = None) -> hvac.Client:
        return hvac.Client(url=self.addr, token=token or self.token)

    def path(self, name: str = "klaviyo/storefront") -> str:
        return f"{self.mount}/{name}"


@pytest.fixture(scope="session")
def openbao_server() -> Iterator[DevServerInfo]:
    server = DevServer()
    info = server.start()
    try:
        yield info
    finally:
        server.stop()


@pytest.fixture
def bao(openbao_server: DevServerInfo) -> Iterator[Bao]:
    """A KV v2 mount at a random path, so tests share one server without sharing state."""
    mount = "kv-" + secrets.token_hex(4)
    client = hvac.Client(url=openbao_server.addr, token=openbao_server.token)
    client.sys.enable_secrets_engine("kv", path=mount, options={"version": "2"})
    try:
        yield Bao(addr=openbao_server.addr, token=openbao_server.token, mount=mount)
    finally:
        client.sys.disable_secrets_engine(mount)
        client.adapter.close()
