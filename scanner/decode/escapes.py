"""JS/JSON and CSS backslash escapes, percent encoding and HTML character references."""

from __future__ import annotations

import re
from collections.abc import Callable

from scanner.decode.base import DecodedHit, search_windows
from scanner.decode.gate import ENTITY, ESCAPE, PERCENT, Gates

_JS_ESCAPE = re.compile(
    r"\\+(?:x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|u\{([0-9A-Fa-f]{1,6})\}|([0-7]{1,3})|(.))", re.S
)
_CSS_ESCAPE = re.compile(r"\\+(?:([0-9A-Fa-f]{1,6})[ \t\n]?|(.))", re.S)
_PERCENT = re.compile(r"%(?:25)*([0-9A-Fa-f]{2})")
_ENTITY = re.compile(r"&(?:#[xX]([0-9A-Fa-f]{1,6});?|#([0-9]{1,7});?|(lowbar|UnderBar);)")

_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v"}


def _char(code: int) -> str:
    return chr(code) if 0 <= code <= 0x10FFFF else "\ufffd"


def _substitute(
    text: str, pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str]
) -> tuple[str, list[int]]:
    out: list[str] = []
    origin: list[int] = []
    pos = 0
    for m in pattern.finditer(text):
        for i in range(pos, m.start()):
            out.append(text[i])
            origin.append(i)
        out.append(replace(m))
        origin.append(m.start())
        pos = m.end()
    for i in range(pos, len(text)):
        out.append(text[i])
        origin.append(i)
    return "".join(out), origin


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


def decode_js(text: str) -> tuple[str, list[int]]:
    return _substitute(text, _JS_ESCAPE, _js)


def decode_css(text: str) -> tuple[str, list[int]]:
    return _substitute(text, _CSS_ESCAPE, _css)


def decode_percent(text: str) -> tuple[str, list[int]]:
    return _substitute(text, _PERCENT, _percent)


def decode_entities(text: str) -> tuple[str, list[int]]:
    return _substitute(text, _ENTITY, _entity)


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
