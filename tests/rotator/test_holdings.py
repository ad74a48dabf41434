"""Every version of every target, by fingerprint, from a real OpenBao."""

from __future__ import annotations

import hvac

from keyguard.rehearsal.openbao import free_port
from plugins.pattern import fingerprint
from rotator.config import Target
from rotator.holdings import Held, Note, Problem, read_holdings
from rotator.vault import VaultStore
from tests.support.keys import make_key
from tests.support.openbao import Bao
from tests.support.recording_proxy import recording_proxy


def _put(bao: Bao, name: str, *versions: dict[str, str]) -> Target:
    path = bao.path(name)
    for data in versions:
        bao.client().secrets.kv.v2.create_or_update_secret(name, data, mount_point=bao.mount)
    return Target(vault_path=path, name=name.replace("/", "-"))


def test_every_version_compared_by_fingerprint_with_notes_for_what_holds_none(bao: Bao) -> None:
    k1, k2, k3, k4 = (make_key(f"holdings-{i}-{bao.mount}") for i in range(4))
    shop = _put(bao, "shop", {"private_key": k1}, {"private_key": k2}, {"private_key": k3})
    billing = _put(bao, "billing", {"token": "x"}, {"private_key": k2}, {"private_key": k4})
    kv = bao.client().secrets.kv.v2
    kv.destroy_secret_versions("billing", versions=[3], mount_point=bao.mount)
    kv.delete_secret_versions("shop", versions=[1], mount_point=bao.mount)
    absent = Target(vault_path=bao.path("nothing"), name="nothing")

    with recording_proxy(bao.addr) as proxy:
        client = hvac.Client(url=proxy.addr, token=bao.token)
        holdings = read_holdings(
            [shop, billing, absent], lambda t: VaultStore(client, t.vault_path), concurrency=2
        )
        client.adapter.close()

    assert holdings.of(fingerprint(k3)) == (Held(shop, 3, True),)
    assert holdings.of(fingerprint(k2)) == (Held(billing, 2, False), Held(shop, 2, False))
    assert holdings.of(fingerprint(k1)) == ()  # deleted: not read
    assert holdings.of(fingerprint(k4)) == ()  # destroyed
    assert holdings.fingerprint_at(shop.vault_path, 3) == fingerprint(k3)
    assert set(holdings.notes) == {
        Note(shop, Problem.DELETED, (1,)),
        Note(billing, Problem.FIELD_MISSING, (1,)),
        Note(billing, Problem.DESTROYED, (3,)),
        Note(absent, Problem.ABSENT),
    }
    # One read per live version, at most two at a time, and nothing written.
    sent = proxy.requests()
    data_reads = sorted(path for method, path in sent if f"/{bao.mount}/data/" in path)
    assert data_reads == [
        f"/v1/{bao.mount}/data/{name}?version={v}"
        for name, v in (("billing", 1), ("billing", 2), ("shop", 2), ("shop", 3))
    ]
    assert {method for method, _ in sent} == {"GET"}
    assert proxy.most_open <= 2


def test_a_denied_path_and_an_unreachable_vault_are_notes(bao: Bao) -> None:
    k = make_key(f"holdings-denied-{bao.mount}")
    allowed = _put(bao, "allowed", {"private_key": k})
    denied = _put(bao, "denied", {"private_key": k})
    root = bao.client()
    policy = f"holdings-{bao.mount}"
    rules = "".join(
        f'path "{bao.mount}/{kind}/allowed" {{ capabilities = ["read"] }}\n'
        for kind in ("data", "metadata")
    )
    root.sys.create_or_update_policy(policy, rules)
    token = root.auth.token.create(policies=[policy], ttl="10m")["auth"]["client_token"]
    limited = bao.client(token)
    holdings = read_holdings([allowed, denied], lambda t: VaultStore(limited, t.vault_path))
    assert holdings.of(fingerprint(k)) == (Held(allowed, 1, True),)
    assert holdings.notes == (Note(denied, Problem.DENIED),)

    nowhere = hvac.Client(url=f"http://127.0.0.1:{free_port()}", token="t")
    gone = read_holdings([allowed], lambda t: VaultStore(nowhere, t.vault_path))
    assert gone.notes == (Note(allowed, Problem.UNREACHABLE),)
    assert Problem.UNREACHABLE.unchecked
    assert not Problem.DESTROYED.unchecked
