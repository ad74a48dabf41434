"""What a decoder returns, and the windowed search they share."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from plugins.pattern import KEY_RE, PREFIX_BYTES


@dataclass(frozen=True)
class DecodedHit:
    """A key found after decoding; ``start``/``end`` are raw byte offsets in the blob."""

    key: str
    start: int
    end: int
    encoding: str


#: A decoder turns a window of text (bytes read as latin-1, one char per byte) into
#: decoded text plus, for every decoded char, the window offset of its first raw byte.
Decode = Callable[[str], tuple[str, list[int]]]

#: Bytes before a gate hit that the window keeps (the rest of an escaped ``pk_``).
_BEFORE = 64
#: Bytes after a gate hit: a key whose every character is escaped in the longest form.
_AFTER = 44 * 12


def windows(data: bytes, starts: Iterable[int]) -> Iterator[tuple[int, int]]:
    """Merged ``(lo, hi)`` windows around sorted gate positions."""
    lo = hi = -1
    for pos in starts:
        w_lo, w_hi = max(0, pos - _BEFORE), min(len(data), pos + _AFTER)
        if lo >= 0 and w_lo <= hi:
            hi = max(hi, w_hi)
            continue
        if lo >= 0:
            yield lo, hi
        lo, hi = w_lo, w_hi
    if lo >= 0:
        yield lo, hi


#: ``re`` finds a literal faster than ``bytes.find`` for short needles.
_PREFIX_RE = re.compile(re.escape(PREFIX_BYTES))


def prefix_positions(data: bytes) -> list[int]:
    """Offsets of every plain ``pk_`` (computed once per blob, shared by the decoders)."""
    return [m.start() for m in _PREFIX_RE.finditer(data)]


#: Gate characters rare enough in code that a ``bytes.find`` (memchr) loop over them,
#: checking the gate at each, beats a regex scan by an order of magnitude.
_RARE = frozenset({b"%"})
#: Past this many occurrences the character is not rare here: fall back to the regex.
_RARE_LIMIT = 20_000


def _rare_char_gate(data: bytes, gate: re.Pattern[bytes], char: bytes) -> list[int]:
    found: list[int] = []
    find, match = data.find, gate.match
    pos, seen = find(char), 0
    while pos != -1:
        seen += 1
        if seen > _RARE_LIMIT:
            return [m.start() for m in gate.finditer(data)]
        if match(data, pos):
            found.append(pos)
        pos = find(char, pos + 1)
    return found


def gate_positions(
    data: bytes, gate: re.Pattern[bytes], near: bytes, prefixes: list[int]
) -> list[int]:
    """Where *gate* matches, plus plain ``pk_`` followed within a key's reach by *near*.

    Gates start with one literal character (``\\``, ``%``, ``&``), which ``re`` skips to
    at C speed; patterns are written so a mismatch is known one or two bytes later.
    """
    found = (
        _rare_char_gate(data, gate, near)
        if near in _RARE
        else [m.start() for m in gate.finditer(data)]
    )
    near_prefix = [p for p in prefixes if data.find(near, p, p + _AFTER) != -1]
    if near_prefix:
        found = sorted(found + near_prefix)
    return found


def search_windows(
    data: bytes, starts: Iterable[int], decode: Decode, encoding: str
) -> list[DecodedHit]:
    """Decode each window around *starts* and report keys whose raw form was encoded."""
    hits: list[DecodedHit] = []
    for lo, hi in windows(data, starts):
        text, origin = decode(data[lo:hi].decode("latin-1"))
        for m in KEY_RE.finditer(text):
            start = lo + origin[m.start()]
            last = m.end() - 1
            end = lo + (origin[last + 1] if last + 1 < len(origin) else hi - lo)
            if end - start == m.end() - m.start():
                continue  # nothing was encoded: the plain matcher owns this one
            hits.append(DecodedHit(m.group(), start, end, encoding))
    return hits
