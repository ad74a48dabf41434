"""UTF-16 text (with or without a byte-order mark): ``p\\0k\\0_\\0`` or ``\\0p\\0k\\0_``."""

from __future__ import annotations

from plugins.pattern import KEY_RE
from scanner.detect.decode.base import DecodedHit
from scanner.detect.decode.gate import UTF16, Gates

_LE = b"p\x00k\x00_\x00"
_BE = b"\x00p\x00k\x00_"
#: Bytes decoded after ``p``: the longest key and its boundary, two bytes a unit.
_SPAN = 2 * 46


def _scan(data: bytes, starts: list[int], codec: str) -> list[DecodedHit]:
    hits: list[DecodedHit] = []
    for start in starts:  # first byte of the UTF-16 unit holding "p", in either byte order
        lo = start - 2 if start >= 2 else start
        window = data[lo : start + _SPAN]
        window = window[: len(window) - len(window) % 2]
        text = window.decode(codec, errors="replace")
        m = KEY_RE.search(text)
        if m is not None and lo + 2 * m.start() == start:
            hits.append(DecodedHit(m.group(), start, start + 2 * len(m.group()), codec))
    return hits


def find_utf16(data: bytes, gates: Gates) -> list[DecodedHit]:
    starts = [end - len(_LE) for end in gates[UTF16]]
    if not starts:
        return []
    le = _scan(data, [s for s in starts if data.startswith(_LE, s)], "utf-16-le")
    be = _scan(data, [s for s in starts if data.startswith(_BE, s)], "utf-16-be")
    # Read one byte off, UTF-16 in one byte order is valid in the other too; the byte
    # order mark decides, else the reading whose units start at even offsets.
    if data[:2] == b"\xff\xfe":
        return le
    if data[:2] == b"\xfe\xff":
        return be
    le_starts = {h.start for h in le}
    be_starts = {h.start for h in be}
    keep = [h for h in le if not (h.start % 2 and h.start - 1 in be_starts)]
    keep += [h for h in be if not (h.start % 2 and h.start + 1 in le_starts)]
    return keep
