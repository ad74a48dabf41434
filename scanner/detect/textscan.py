"""Keys in one text blob, plain and decoded, each with its line and columns."""

from __future__ import annotations

import re
from dataclasses import dataclass

from scanner.detect.decode import DecodedHit, decode_all
from scanner.detect.decode.gate import INLINE_MAP, PLAIN, UTF16, Gates, find_gates
from scanner.detect.matches import find_in_bytes, is_allowlisted, utf16_length

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


#: In a binary file a string sits against arbitrary bytes (a length byte, the next
#: column of a database row, an opcode): only a longer hex run disqualifies a match.
_BINARY_KEY = re.compile(rb"pk_(?:[A-Za-z0-9]{6}_)?[0-9a-f]{34}(?![0-9a-f])")


def _binary_keys(data: bytes) -> list[DecodedHit]:
    return [
        DecodedHit(m.group().decode("ascii"), m.start(), m.end(), "binary")
        for m in _BINARY_KEY.finditer(data)
    ]


def scan_text(
    data: bytes,
    *,
    decoders: bool = True,
    signals: dict[str, int] | None = None,
    binary: bool = False,
    gates: Gates | None = None,
) -> list[Hit]:
    """Every key in *data*: the plain matcher first, then whatever only a decoder sees.

    *signals* receives what decoders noticed but did not decode (see ``decode_all``).
    *binary* data is searched for plain and UTF-16 keys only. *gates* are the blob's
    one-pass gates when the caller already has them.
    """
    # One pass finds where every detector must look; the plain matcher runs only where a
    # whole key matched, and each decoder only around its own candidates.
    if gates is None and (decoders or binary):
        gates = find_gates(data)
    if gates is not None and binary:
        gates = gates.only(PLAIN, UTF16)
    if gates is not None and signals is not None and gates[INLINE_MAP]:
        signals[INLINE_MAP] = gates[INLINE_MAP][0]
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
        for m in (find_in_bytes(data) if not binary and (gates is None or gates[PLAIN]) else [])
    ]
    if gates is None or not (binary or gates.any_decoder()):
        return hits
    decoded: list[DecodedHit] = decode_all(data, [(h.start, h.end) for h in hits], gates, signals)
    if binary and gates[PLAIN]:
        decoded = sorted([*_binary_keys(data), *decoded], key=lambda d: d.start)
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
