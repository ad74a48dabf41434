"""``KlaviyoDetector.verify()`` for detect-secrets: one process-wide verifier per base URL.

detect-secrets instantiates plugins itself and calls ``verify(secret)`` for every match
(twice with ``--only-verified``), with no way to pass a client in. So this module keeps
the one piece of process state in keyguard: a ``Verifier`` per base URL, whose run cache
makes each distinct key cost one request per detect-secrets process (detect-secrets scans
with a process pool, so a key found by two workers is asked about twice).
"""

from __future__ import annotations

import atexit
import os
import threading
from typing import Any

from plugins.klaviyo_api import DEFAULT_BASE_URL, ENV_URL, KeyStatus, KlaviyoClient
from plugins.pattern import Secret, is_key
from plugins.verification import Verifier

#: Set to 0/off/false/no to keep the plugin off the network (like ``--no-verify``) where
#: detect-secrets is run by other tools: offline CI, or a test suite that must stay hermetic.
ENV_SWITCH = "KEYGUARD_VERIFY"
_OFF = frozenset({"0", "off", "false", "no"})

_lock = threading.Lock()
_verifiers: dict[str, Verifier] = {}


def _verifier_for(url: str) -> Verifier:
    with _lock:
        verifier = _verifiers.get(url)
        if verifier is None:
            client = KlaviyoClient(url)
            atexit.register(client.close)
            verifier = _verifiers[url] = Verifier(client, concurrency=1)
        return verifier


def verify(secret: str) -> Any:
    """A detect-secrets ``VerifiedResult``: live or limited is VERIFIED_TRUE, revoked is
    VERIFIED_FALSE, anything we could not tell is UNVERIFIED."""
    from detect_secrets.constants import VerifiedResult

    if not is_key(secret) or os.environ.get(ENV_SWITCH, "").strip().lower() in _OFF:
        return VerifiedResult.UNVERIFIED
    url = os.environ.get(ENV_URL) or DEFAULT_BASE_URL
    status = _verifier_for(url).verify_one(Secret(secret)).status
    if status in (KeyStatus.LIVE, KeyStatus.LIMITED):
        return VerifiedResult.VERIFIED_TRUE
    if status is KeyStatus.REVOKED:
        return VerifiedResult.VERIFIED_FALSE
    return VerifiedResult.UNVERIFIED
