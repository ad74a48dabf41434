"""What a decoder returns, and the windowed search they share."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from plugins.pattern import KEY_RE


@dataclass(frozen=True)
class DecodedHit:
    """A key found after decoding; ``start``/``end`` are raw byte offsets in the blob."""

    key: str
    start: int
    end: int
    encoding: str


#: A decoder turns a window of text (bytes read as latin-1, one char per byte) into
#: decoded text plus, for every decoded char, the window offset of its first raw byte.
Decode = Callable[[str], tuple[str, Sequence[int]]]

#: Bytes before a gate's end offset that the window keeps: the gate itself (a plain
#: ``pk_`` and up to 42 body characters before an encoded one, or an escaped ``pk_``).
_BEFORE = 192
#: Bytes after it: a key whose every character is escaped in the longest form.
_AFTER = 44 * 12
#: A run of merged windows is cut into pieces of this size (overlapping by a window), so
#: dense input costs memory in proportion to one piece, not to the blob.
_PIECE = 64 * 1024


def windows(data: bytes, ends: Iterable[int]) -> Iterator[tuple[int, int]]:
    """Merged ``(lo, hi)`` windows around sorted gate end offsets, none over ``_PIECE``."""
    lo = hi = -1
    for pos in ends:
        w_lo, w_hi = max(0, pos - _BEFORE), min(len(data), pos + _AFTER)
        if lo >= 0 and w_lo <= hi:
            hi = max(hi, w_hi)
            while hi - lo > _PIECE:
                yield lo, lo + _PIECE
                lo += _PIECE - _BEFORE - _AFTER
            continue
        if lo >= 0:
            yield lo, hi
        lo, hi = w_lo, w_hi
    if lo >= 0:
        yield lo, hi


def search_windows(
    data: bytes, starts: Iterable[int], decode: Decode, encoding: str
) -> list[DecodedHit]:
    """Decode each window around *starts* and report keys whose raw form was encoded."""
    hits: list[DecodedHit] = []
    seen: set[int] = set()  # pieces of one dense run overlap
    for lo, hi in windows(data, starts):
        text, origin = decode(data[lo:hi].decode("latin-1"))
        for m in KEY_RE.finditer(text):
            start = lo + origin[m.start()]
            last = m.end() - 1
            end = lo + (origin[last + 1] if last + 1 < len(origin) else hi - lo)
            if end - start == m.end() - m.start() or start in seen:
                continue  # nothing was encoded (the plain matcher owns it), or seen already
            seen.add(start)
            hits.append(DecodedHit(m.group(), start, end, encoding))
    return hits
