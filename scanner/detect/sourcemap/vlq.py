"""Base64 VLQ, the number encoding of a source map's ``mappings`` (written here on purpose:
the published Python readers are unmaintained or crash on maps real bundlers write)."""

from __future__ import annotations

import re

from plugins.errors import KeyguardError

_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
DIGIT = {c: i for i, c in enumerate(_B64)}


class VlqError(KeyguardError):
    """A ``mappings`` string that is not valid base64 VLQ."""


def _single(digit: int) -> int:
    return -(digit >> 1) if digit & 1 else digit >> 1


#: Most numbers in a map take one or two characters (-511..511): decode those by lookup.
_ONE = {c: _single(d) for c, d in DIGIT.items() if d < 32}
_SHORT = {
    **_ONE,
    **{
        a + b: _single((da & 31) + (db << 5))
        for a, da in DIGIT.items()
        if da >= 32
        for b, db in DIGIT.items()
        if db < 32
    },
}
_NUMBER = re.compile(r"[g-z0-9+/]?[A-Za-f]")


def decode_segment(segment: str) -> list[int]:
    """The signed integers of one comma-separated segment."""
    try:
        return [_ONE[c] for c in segment]
    except KeyError:
        pass  # a continuation character or an invalid one
    numbers = _NUMBER.findall(segment)
    if sum(map(len, numbers)) == len(segment):
        return [_SHORT[n] for n in numbers]
    # Longer numbers or invalid characters: the general path.
    values: list[int] = []
    value = shift = 0
    for ch in segment:
        digit = DIGIT.get(ch)
        if digit is None:
            raise VlqError(f"invalid character {ch!r} in source map mappings")
        value += (digit & 31) << shift
        if digit & 32:
            shift += 5
            if shift > 30:
                raise VlqError("source map mappings hold a number too large to be a position")
            continue
        values.append(-(value >> 1) if value & 1 else value >> 1)
        value = shift = 0
    if shift:
        raise VlqError("source map mappings end in the middle of a number")
    return values


def encode(value: int) -> str:
    """One signed integer as base64 VLQ (used to build maps in tests and benchmarks)."""
    vlq = (-value << 1) | 1 if value < 0 else value << 1
    out = []
    while True:
        digit = vlq & 31
        vlq >>= 5
        if vlq:
            digit |= 32
        out.append(_B64[digit])
        if not vlq:
            return "".join(out)
