"""A throwaway world to practise a rotation in: an OpenBao dev server, the Klaviyo
stand-in, and fake keys that never existed in Klaviyo."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import hvac

from keyguard.rehearsal.klaviyo_standin import KlaviyoStandin
from keyguard.rehearsal.openbao import DevServer
from plugins.pattern import Secret, fingerprint

VAULT_PATH = "secret/klaviyo/rehearsal"


def fake_key() -> str:
    """A well-formed key made on the spot (random, so it matches no real key)."""
    return "pk_" + secrets.token_hex(17)


@dataclass(frozen=True)
class Rehearsal:
    vault: hvac.Client
    klaviyo_url: str
    vault_path: str
    new_key: Secret
    standin: KlaviyoStandin
    old_fp: str

    def disable_old_key(self) -> None:
        """What the human does in the Klaviyo UI, done to the stand-in."""
        self.standin.set_status(self.old_fp, "disabled")


@contextmanager
def rehearsal_world() -> Iterator[Rehearsal]:
    old, new = fake_key(), fake_key()
    with DevServer() as info, KlaviyoStandin(rate_limit=None) as standin:
        account = standin.add_account()
        standin.add_key(old, account=account, name="rehearsal: current key")
        standin.add_key(new, account=account, name="rehearsal: new key")
        client = hvac.Client(url=info.addr, token=info.token)
        mount, _, path = VAULT_PATH.partition("/")
        client.secrets.kv.v2.create_or_update_secret(path, {"private_key": old}, mount_point=mount)
        try:
            yield Rehearsal(client, standin.url, VAULT_PATH, Secret(new), standin, fingerprint(old))
        finally:
            client.adapter.close()
