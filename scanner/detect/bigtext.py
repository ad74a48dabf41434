"""Text too large to hold: scanned window by window, decoders included, positions exact.

Windows overlap by more than any encoded key spans, a hit is kept by the window where
it starts before the overlap tail, and each window's lines and columns are shifted by
what came before it (lines counted, plus the UTF-16 units and bytes of the line the
window starts in the middle of).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

from scanner.detect.matches import utf16_length
from scanner.detect.textscan import Hit, scan_text

#: Wider than the widest encoded key a decoder reads (escapes, concatenation chains).
OVERLAP = 8192


def _windows(head: bytes, read: Callable[[int], bytes], size: int) -> Iterator[tuple[bytes, bool]]:
    """``(window, is_last)``; each window after the first starts with the previous one's
    last ``2 * OVERLAP`` bytes: the first half is context only, the second half is new."""
    buf = head
    while True:
        parts, have = [buf], len(buf)
        while have < size:
            piece = read(size - have)
            if not piece:
                yield b"".join(parts), True
                return
            parts.append(piece)
            have += len(piece)
        buf = b"".join(parts)
        yield buf, False
        buf = buf[-2 * OVERLAP :]


def scan_big_text(head: bytes, read: Callable[[int], bytes], window: int) -> Iterator[Hit]:
    """Every key in *head* followed by the rest of the stream; offsets are absolute."""
    base = 0  # absolute offset of the window's first byte
    lines_before = 0  # newlines before the window
    units = 0  # UTF-16 units between the last newline before the window and the window
    line_bytes = 0  # bytes between that newline and the window
    for buf, last in _windows(head, read, max(window, 4 * OVERLAP)):
        keep_from = OVERLAP if base else 0  # hits before it belong to the previous window
        keep_to = len(buf) if last else len(buf) - OVERLAP
        for h in scan_text(buf):
            if not keep_from <= h.start < keep_to:
                continue
            if h.line == 1:
                column, byte_column = h.column + units, h.byte_column + line_bytes
            else:
                column, byte_column = h.column, h.byte_column
            yield replace(
                h,
                start=base + h.start,
                end=base + h.end,
                line=h.line + lines_before,
                column=column,
                byte_column=byte_column,
            )
        if last:
            return
        consumed = buf[: len(buf) - 2 * OVERLAP]
        newline = consumed.rfind(b"\n")
        if newline == -1:
            units += utf16_length(consumed)
            line_bytes += len(consumed)
        else:
            lines_before += consumed.count(b"\n")
            units = utf16_length(consumed[newline + 1 :])
            line_bytes = len(consumed) - newline - 1
        base += len(consumed)
