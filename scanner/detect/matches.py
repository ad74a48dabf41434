"""Find keys in bytes: a ``pk_`` prefilter, the pattern, and positions people can use.

The scan works on raw bytes (no decoding of the whole file) and in chunks, so a 50 MB
single-line bundle costs a few ``bytes.find`` calls and never a list of lines. Line,
byte column and UTF-16 column are tracked incrementally across chunks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from plugins.pattern import BODY_RE_BYTES, MAX_KEY_LENGTH, PREFIX_BYTES, WORD_BYTES

DEFAULT_CHUNK = 8 * 1024 * 1024

_ALLOW_LINE = re.compile(rb"pragma:\s?allowlist[ -]secret")
_ALLOW_NEXT = re.compile(rb"pragma:\s?allowlist[ -]nextline[ -]secret")
#: How far either side of a match we look for a pragma on a long (minified) line.
_PRAGMA_WINDOW = 4096
#: Bytes carried from one chunk into the next. A match is only judged once its pragma
#: window after it has been read (so it may wait for the next chunk), and then needs its
#: line's and the previous line's windows before it: chunked reads see what a whole read sees.
_OVERLAP = 3 * _PRAGMA_WINDOW + MAX_KEY_LENGTH + 20

# bytes.translate deletion tables used to count UTF-16 code units of UTF-8 bytes:
# units = bytes - continuation bytes + 4-byte lead bytes (each is a surrogate pair).
_ALL = bytes(range(256))
_KEEP_CONTINUATION = bytes(b for b in range(256) if not 0x80 <= b <= 0xBF)
_KEEP_FOUR_BYTE_LEADS = bytes(b for b in range(256) if not 0xF0 <= b <= 0xF7)


def utf16_length(data: bytes) -> int:
    """UTF-16 code units in UTF-8 *data* (invalid bytes count one unit each)."""
    if data.isascii():
        return len(data)
    continuation = len(data.translate(None, _KEEP_CONTINUATION))
    four = len(data.translate(None, _KEEP_FOUR_BYTE_LEADS))
    return len(data) - continuation + four


@dataclass(frozen=True)
class RawMatch:
    """One key at one place in one blob. Columns and lines count from 1."""

    key: str
    offset: int
    line: int
    column: int  # UTF-16 code units, as editors and SARIF count
    byte_column: int
    allowlisted: bool


def _key_starts(buf: bytes, start: int, *, at_stream_start: bool) -> Iterator[re.Match[bytes]]:
    """Key matches at or after *start*; a ``pk_`` at offset 0 counts only at the stream start.

    Later buffers begin with bytes carried from the previous one, which already judged
    (or deferred, well inside the carry) any ``pk_`` at the carry's first byte.
    """
    # ``re`` skips from one ``pk_`` to the next and tries the body in C: a blob holding
    # millions of ``pk_`` that are not keys costs no Python step for each.
    for m in BODY_RE_BYTES.finditer(buf, start):
        pos = m.start()
        if (pos == 0 and at_stream_start) or (pos > 0 and buf[pos - 1] not in WORD_BYTES):
            yield m


def _window_start(buf: bytes, pos: int) -> tuple[int, bool]:
    """Where the line holding *pos* starts, looking back at most one window.

    Returns (start, whole): *whole* is False when the line is longer than the window,
    and then the start is the window's edge, never the start of the file.
    """
    low = max(0, pos - _PRAGMA_WINDOW)
    newline = buf.rfind(b"\n", low, pos)
    if newline != -1:
        return newline + 1, True
    return low, low == 0


def _allowlisted(buf: bytes, start: int, end: int) -> bool:
    line_start, whole_line = _window_start(buf, start)
    line_end = buf.find(b"\n", end, end + _PRAGMA_WINDOW)
    if line_end == -1:
        line_end = min(len(buf), end + _PRAGMA_WINDOW)
    if _ALLOW_LINE.search(buf, line_start, line_end):
        return True
    if line_start == 0 or not whole_line:
        return False  # no previous line, or it is out of reach
    prev_start, _ = _window_start(buf, line_start - 1)
    return _ALLOW_NEXT.search(buf, prev_start, line_start - 1) is not None


def is_allowlisted(buf: bytes, start: int, end: int) -> bool:
    """True when a pragma on the line of ``buf[start:end]`` (or the line above) allows it."""
    return _allowlisted(buf, start, end)


def find_in_bytes(data: bytes) -> list[RawMatch]:
    """Every key in *data* (a whole blob already in memory)."""
    if PREFIX_BYTES not in data:
        return []
    return _Tracker().feed(data, carry=0)


def find_in_stream(read: Callable[[int], bytes], chunk_size: int = DEFAULT_CHUNK) -> list[RawMatch]:
    """Every key in a stream read with ``read(n)``, holding about one chunk in memory."""
    tracker = _Tracker()
    found: list[RawMatch] = []
    buf = read(chunk_size)
    while True:
        chunk = read(chunk_size) if buf else b""
        if not chunk:
            found.extend(tracker.feed(buf, carry=0))
            return found
        # Look one chunk ahead so the last chunk is known to be last.
        found.extend(tracker.feed(buf, carry=min(_OVERLAP, len(buf))))
        buf = buf[-_OVERLAP:] + chunk


class _Tracker:
    """Walks the buffers of one stream and turns key spans into positions.

    Each buffer after the first starts with the last ``carry`` bytes of the previous
    one; ``base`` is the absolute offset of the buffer's first byte.
    """

    def __init__(self) -> None:
        self.base = 0
        self.counted_upto = 0  # absolute offset up to which newlines were counted
        self.line = 1
        self.line_start = 0  # absolute offset of the current line's first byte
        self.units = 0  # UTF-16 units from line_start to counted_upto
        self.next_start = 0  # matches must start at or after this absolute offset

    def _count_to(self, buf: bytes, absolute: int) -> None:
        lo, hi = self.counted_upto - self.base, absolute - self.base
        if hi <= lo:
            return
        nl = buf.rfind(b"\n", lo, hi)
        if nl == -1:
            self.units += utf16_length(buf[lo:hi])
        else:
            self.line += buf.count(b"\n", lo, hi)
            self.line_start = self.base + nl + 1
            self.units = utf16_length(buf[nl + 1 : hi])
        self.counted_upto = absolute

    def feed(self, buf: bytes, *, carry: int) -> list[RawMatch]:
        """Matches in *buf*; its last *carry* bytes start the next buffer (0: the end)."""
        found: list[RawMatch] = []
        if PREFIX_BYTES in buf:
            matches = _key_starts(
                buf, max(0, self.next_start - self.base), at_stream_start=self.base == 0
            )
            for m in matches:
                start, end = m.span()
                if carry and end + _PRAGMA_WINDOW > len(buf):
                    continue  # its pragma window reaches the next chunk: judged there
                absolute = self.base + start
                self._count_to(buf, absolute)
                self.next_start = self.base + end
                found.append(
                    RawMatch(
                        key=m.group().decode("ascii"),
                        offset=absolute,
                        line=self.line,
                        column=self.units + 1,
                        byte_column=absolute - self.line_start + 1,
                        allowlisted=_allowlisted(buf, start, end),
                    )
                )
        if carry:
            consumed = len(buf) - carry
            self._count_to(buf, max(self.counted_upto, self.base + consumed))
            self.base += consumed
        return found
