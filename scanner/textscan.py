"""Keys in one text blob, plain and decoded, each with its line and columns."""

from __future__ import annotations

from dataclasses import dataclass

from scanner.decode import DecodedHit, decode_all
from scanner.decode.base import prefix_positions
from scanner.matches import find_in_bytes, is_allowlisted, utf16_length

_UTF16 = ("utf-16-le", "utf-16-be")


@dataclass(frozen=True)
class Hit:
    """A key at raw byte offsets ``start``..``end``; line and columns count from 1."""

    key: str
    start: int
    end: int
    line: int
    column: int  # UTF-16 code units
    byte_column: int
    encoding: str
    allowlisted: bool


def utf8_positions(data: bytes, offsets: list[int]) -> dict[int, tuple[int, int, int]]:
    """``offset -> (line, utf16 column, byte column)`` in one forward pass."""
    out: dict[int, tuple[int, int, int]] = {}
    line, line_start, upto, units = 1, 0, 0, 0
    for off in sorted(set(offsets)):
        newlines = data.count(b"\n", upto, off)
        if newlines:
            line += newlines
            line_start = data.rfind(b"\n", upto, off) + 1
            units = utf16_length(data[line_start:off])
        else:
            units += utf16_length(data[upto:off])
        upto = off
        out[off] = (line, units + 1, off - line_start + 1)
    return out


def _utf16_position(data: bytes, off: int, codec: str) -> tuple[int, int, int]:
    begin = off % 2
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") and begin == 0:
        begin = 2
    before = data[begin:off].decode(codec, errors="replace")
    nl = before.rfind("\n")
    last = before[nl + 1 :]
    line_start = begin + len(before[: nl + 1].encode(codec))
    return before.count("\n") + 1, len(last.encode(codec)) // 2 + 1, off - line_start + 1


def scan_text(
    data: bytes, *, decoders: bool = True, signals: dict[str, int] | None = None
) -> list[Hit]:
    """Every key in *data*: the plain matcher first, then whatever only a decoder sees.

    *signals* receives what decoders noticed but did not decode (see ``decode_all``).
    """
    # One pass finds every plain ``pk_``; the matcher runs only where there is one, and
    # the decoders reuse the offsets.
    prefixes = prefix_positions(data) if decoders else None
    hits = [
        Hit(
            m.key,
            m.offset,
            m.offset + len(m.key),
            m.line,
            m.column,
            m.byte_column,
            "plain",
            m.allowlisted,
        )
        for m in (find_in_bytes(data) if prefixes is None or prefixes else [])
    ]
    if not decoders:
        return hits
    decoded: list[DecodedHit] = decode_all(
        data, [(h.start, h.end) for h in hits], prefixes, signals
    )
    if not decoded:
        return hits
    utf8 = utf8_positions(data, [d.start for d in decoded if d.encoding not in _UTF16])
    for d in decoded:
        if d.encoding in _UTF16:
            line, column, byte_column = _utf16_position(data, d.start, d.encoding)
        else:
            line, column, byte_column = utf8[d.start]
        hits.append(
            Hit(
                d.key,
                d.start,
                d.end,
                line,
                column,
                byte_column,
                d.encoding,
                is_allowlisted(data, d.start, d.end),
            )
        )
    hits.sort(key=lambda h: h.start)
    return hits
