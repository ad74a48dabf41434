"""Base64 and base64url runs: ``atob("…")``, ``data:…;base64,``, config blobs.

``pk_`` has one base64 spelling per alignment of its first byte in a 3-byte group:
``cGtf`` (at a group start), ``…BrX`` (second byte) and ``…wa1`` (third byte). Only runs
holding one of those are decoded, and only around it.
"""

from __future__ import annotations

import binascii
import re

from plugins.pattern import KEY_RE_BYTES
from scanner.decode.base import DecodedHit

#: Gate literal -> how many base64 chars before it the 4-char group of ``p`` starts.
_GATES = ((re.compile(b"cGtf"), 0), (re.compile(b"BrX"), 2), (re.compile(b"wa1"), 3))
_ALPHABET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_")
#: Base64 chars decoded after the group holding ``p``: a 44-char key plus its boundary.
_SPAN = 68
_URL_TO_STD = bytes.maketrans(b"-_", b"+/")


def _label(data: bytes, run_start: int, run: bytes) -> str:
    before = data[max(0, run_start - 16) : run_start]
    if before.endswith(b"base64,"):
        return "data-uri"
    if before.rstrip(b"\"'`").endswith(b"atob("):
        return "atob"
    return "base64url" if b"-" in run or b"_" in run else "base64"


def _run_start(data: bytes, pos: int) -> int:
    # Walking back is bounded: a huge run (an inline source map) is decoded near the gate only.
    lo = pos
    while lo > 0 and data[lo - 1] in _ALPHABET and pos - lo < 4096:
        lo -= 1
    return lo


def find_base64(data: bytes, prefixes: list[int]) -> list[DecodedHit]:
    gates = sorted(
        (m.start() - back, gate.pattern)
        for gate, back in _GATES
        for m in gate.finditer(data)
        if m.start() >= back
    )
    hits: list[DecodedHit] = []
    seen: set[int] = set()
    for group, _gate in gates:
        # Decode from one group earlier (the byte before the key is its boundary).
        lo = (
            group - 4
            if group >= 4 and all(c in _ALPHABET for c in data[group - 4 : group])
            else group
        )
        chunk = bytearray()
        for c in data[lo : group + _SPAN]:
            if c not in _ALPHABET:
                break
            chunk.append(c)
        if len(chunk) % 4 == 1:
            del chunk[-1]
        if len(chunk) < 8:
            continue
        # A run's last group may lack its padding (base64url usually does): restore it.
        std = bytes(chunk).translate(_URL_TO_STD) + b"=" * (-len(chunk) % 4)
        try:
            decoded = binascii.a2b_base64(std)
        except binascii.Error:
            continue
        for m in KEY_RE_BYTES.finditer(decoded):
            start = lo + (m.start() * 4) // 3
            if start in seen:
                continue
            seen.add(start)
            end = lo + -(-(m.end() * 4) // 3)
            run_lo = _run_start(data, lo)
            hits.append(
                DecodedHit(
                    m.group().decode("ascii"), start, end, _label(data, run_lo, data[run_lo:end])
                )
            )
    return hits
