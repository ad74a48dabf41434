"""JS/JSON and CSS backslash escapes, percent encoding and HTML character references."""

from __future__ import annotations

import re
from collections.abc import Callable

from scanner.decode.base import DecodedHit, gate_positions, search_windows

# An escape of p, k or _ in any of the forms below; runs of backslashes (a JSON string
# inside a JS string doubles them) count as one.
_ESCAPED_PK = (
    rb"(?:x(?:70|6[bB]|5[fF])|u(?:00(?:70|6[bB]|5[fF])|\{0*(?:70|6[bB]|5[fF])\})|1(?:60|53|37)"
    rb"|0{0,4}(?:70|6[bB]|5[fF])(?![0-9A-Fa-f]))"
)
_JS_GATE = re.compile(rb"\\" + _ESCAPED_PK)
#: In a source map the code sits in JSON strings, so its escapes are doubled: gating on two
#: backslashes skips the JSON's own ``\n`` and ``\"`` (a map writer never escapes p, k, _).
_MAP_GATE = re.compile(rb"\\\\" + _ESCAPED_PK)
_PERCENT_GATE = re.compile(rb"%(?:25)?(?:70|6[bB]|5[fF])")
_ENTITY_GATE = re.compile(rb"&(?:#(?:[xX]0*(?:70|6[bB]|5[fF])|0*(?:112|107|95))|lowbar;|UnderBar;)")

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


def find_escaped(data: bytes, prefixes: list[int]) -> list[DecodedHit]:
    """Keys written with JS/JSON or CSS backslash escapes (CSS ``\\70`` vs octal: both tried)."""
    if b"\\" not in data:
        return []
    in_map = data[:1] == b"{" and b'"mappings"' in data and b'"sources"' in data
    starts = gate_positions(data, _MAP_GATE if in_map else _JS_GATE, b"\\", prefixes)
    if not starts:
        return []
    return search_windows(data, starts, decode_js, "js-escape") + search_windows(
        data, starts, decode_css, "css-escape"
    )


def find_percent(data: bytes, prefixes: list[int]) -> list[DecodedHit]:
    if b"%" not in data:
        return []
    starts = gate_positions(data, _PERCENT_GATE, b"%", prefixes)
    return search_windows(data, starts, decode_percent, "percent") if starts else []


def find_entities(data: bytes, prefixes: list[int]) -> list[DecodedHit]:
    if b"&" not in data:
        return []
    starts = gate_positions(data, _ENTITY_GATE, b"&", prefixes)
    return search_windows(data, starts, decode_entities, "html-entity") if starts else []
