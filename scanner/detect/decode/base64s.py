"""Base64 and base64url runs: ``atob("…")``, ``data:…;base64,``, config blobs.

``pk_`` has one base64 spelling per alignment of its first byte in a 3-byte group:
``cGtf`` (at a group start), ``…BrX`` (second byte) and ``…wa1`` (third byte). Only runs
holding one of those are decoded, and only around it.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Sequence

from plugins.pattern import KEY_RE_BYTES, PREFIX_BYTES
from scanner.detect.decode.base import DecodedHit
from scanner.detect.decode.gate import BASE64, Gates

#: Gate literal -> how many base64 chars before it the 4-char group of ``p`` starts.
_GATES = ((b"cGtf", 0), (b"BrX", 2), (b"wa1", 3))
#: A dense blob's runs are decoded whole: only runs at least a key's encoding long.
_RUN = re.compile(rb"[A-Za-z0-9+/\-_]{48,}")
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


def _groups(data: bytes, ends: Sequence[int]) -> list[int]:
    """Start of the 4-char group holding ``p``, for each gate end offset."""
    out = []
    for end in ends:
        for literal, back in _GATES:
            at = end - len(literal)
            if at >= back and data.startswith(literal, at):
                out.append(at - back)
                break
    return out


def find_base64(data: bytes, gates: Gates) -> list[DecodedHit]:
    if BASE64 in gates.dense:
        return _find_in_runs(data)
    hits: list[DecodedHit] = []
    seen: set[int] = set()
    for group in _groups(data, gates[BASE64]):
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
        _decode_at(data, lo, bytes(chunk), seen, hits)
    return hits


def _find_in_runs(data: bytes) -> list[DecodedHit]:
    """Every base64 run decoded whole at its four alignments: linear, however many gates."""
    hits: list[DecodedHit] = []
    seen: set[int] = set()
    for run in _RUN.finditer(data):
        for shift in range(4):
            _decode_at(data, run.start() + shift, run.group()[shift:], seen, hits)
    return hits


def _decode_at(data: bytes, lo: int, chunk: bytes, seen: set[int], hits: list[DecodedHit]) -> None:
    """Keys in base64 *chunk* that starts at raw offset *lo*."""
    if len(chunk) % 4 == 1:
        chunk = chunk[:-1]
    if len(chunk) < 8:
        return
    # A run's last group may lack its padding (base64url usually does): restore it.
    std = chunk.translate(_URL_TO_STD) + b"=" * (-len(chunk) % 4)
    try:
        decoded = binascii.a2b_base64(std)
    except binascii.Error:
        return
    if PREFIX_BYTES not in decoded:
        return
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
