"""JS/JSON and CSS backslash escapes, percent encoding and HTML character references."""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections.abc import Callable, Sequence
from typing import overload

from scanner.detect.decode.base import DecodedHit, search_windows
from scanner.detect.decode.gate import ENTITY, ESCAPE, PERCENT, Gates

_JS_ESCAPE = re.compile(
    r"\\+(?:x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|u\{([0-9A-Fa-f]{1,6})\}|([0-7]{1,3})|(.))", re.S
)
_CSS_ESCAPE = re.compile(r"\\+(?:([0-9A-Fa-f]{1,6})[ \t\n]?|(.))", re.S)
_PERCENT = re.compile(r"%(?:25)*([0-9A-Fa-f]{2})")
_ENTITY = re.compile(r"&(?:#[xX]([0-9A-Fa-f]{1,6});?|#([0-9]{1,7});?|(lowbar|UnderBar);)")

_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v"}


def _char(code: int) -> str:
    return chr(code) if 0 <= code <= 0x10FFFF else "\ufffd"


class _Origin(Sequence[int]):
    """For each decoded character, the window offset of its first raw byte.

    Held as piece boundaries (literal text and escapes alternate), not one entry a
    character: decoding a window costs a few C-level passes, not a Python step a char.
    """

    def __init__(self, raw_ends: list[int], decoded_ends: list[int]) -> None:
        self._raw = raw_ends
        self._decoded = decoded_ends

    def __len__(self) -> int:
        return self._decoded[-1] if self._decoded else 0

    @overload
    def __getitem__(self, i: int) -> int: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[int]: ...
    def __getitem__(self, i: int | slice) -> int | Sequence[int]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if not 0 <= i < len(self):
            raise IndexError(i)
        piece = bisect.bisect_right(self._decoded, i)
        raw_start = self._raw[piece - 1] if piece else 0
        if piece % 2:
            return raw_start  # an escape: every char it decodes to comes from its first byte
        return raw_start + i - (self._decoded[piece - 1] if piece else 0)


def _substitute(
    text: str, whole: re.Pattern[str], decode_one: Callable[[str], str]
) -> tuple[str, Sequence[int]]:
    """*text* with every match of *whole* (one capturing group) replaced by *decode_one*."""
    pieces = whole.split(text)  # literal, escape, literal, …, literal
    raw_ends = list(itertools.accumulate(map(len, pieces)))
    pieces[1::2] = map(decode_one, pieces[1::2])
    decoded_ends = list(itertools.accumulate(map(len, pieces)))
    return "".join(pieces), _Origin(raw_ends, decoded_ends)


def _captures_nothing(pattern: str) -> str:
    """*pattern* with its groups made non-capturing, wrapped in one group for ``split``."""
    return "(" + re.sub(r"(?<!\\)\((?!\?)", "(?:", pattern) + ")"


def _decoder(
    pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str]
) -> Callable[[str], tuple[str, Sequence[int]]]:
    whole = re.compile(_captures_nothing(pattern.pattern), pattern.flags)

    @functools.lru_cache(maxsize=4096)
    def decode_one(escape: str) -> str:
        m = pattern.fullmatch(escape)
        assert m is not None  # *whole* matched exactly this text
        return replace(m)

    return lambda text: _substitute(text, whole, decode_one)


def _js(m: re.Match[str]) -> str:
    hex2, hex4, brace, octal, other = m.groups()
    if hex2 or hex4 or brace:
        return _char(int(hex2 or hex4 or brace, 16))
    if octal:
        return _char(int(octal, 8))
    return _SIMPLE.get(other, other)


def _css(m: re.Match[str]) -> str:
    hex_digits, other = m.groups()
    return _char(int(hex_digits, 16)) if hex_digits else other


def _percent(m: re.Match[str]) -> str:
    return chr(int(m.group(1), 16))


def _entity(m: re.Match[str]) -> str:
    hex_digits, decimal, name = m.groups()
    if name:
        return "_"
    return _char(int(hex_digits, 16) if hex_digits else int(decimal))


decode_js = _decoder(_JS_ESCAPE, _js)


decode_css = _decoder(_CSS_ESCAPE, _css)


decode_percent = _decoder(_PERCENT, _percent)


decode_entities = _decoder(_ENTITY, _entity)


def find_escaped(data: bytes, gates: Gates) -> list[DecodedHit]:
    """Keys written with JS/JSON or CSS backslash escapes (CSS ``\\70`` vs octal: both tried)."""
    ends = gates[ESCAPE]
    if not ends:
        return []
    return search_windows(data, ends, decode_js, "js-escape") + search_windows(
        data, ends, decode_css, "css-escape"
    )


def find_percent(data: bytes, gates: Gates) -> list[DecodedHit]:
    ends = gates[PERCENT]
    return search_windows(data, ends, decode_percent, "percent") if ends else []


def find_entities(data: bytes, gates: Gates) -> list[DecodedHit]:
    ends = gates[ENTITY]
    return search_windows(data, ends, decode_entities, "html-entity") if ends else []
