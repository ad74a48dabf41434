"""Fake Klaviyo keys generated at run time: the repository never holds a key literal."""

from __future__ import annotations

import hashlib
import string

_ALNUM = string.ascii_letters + string.digits


def _digest(label: str) -> bytes:
    return hashlib.sha256(label.encode("utf-8")).digest()


def make_key(label: str, *, prefixed: bool = False) -> str:
    """A well-formed key derived from *label* (same label, same key)."""
    body = hashlib.sha256(label.encode("utf-8")).hexdigest()[:34]
    if not prefixed:
        return "pk_" + body
    prefix = "".join(_ALNUM[b % len(_ALNUM)] for b in _digest("prefix:" + label)[:6])
    return f"pk_{prefix}_{body}"


def hex_run(label: str, length: int) -> str:
    """*length* lowercase hex characters derived from *label* (for near-miss decoys)."""
    out = ""
    counter = 0
    while len(out) < length:
        out += hashlib.sha256(f"{label}:{counter}".encode()).hexdigest()
        counter += 1
    return out[:length]
