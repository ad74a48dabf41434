"""A parsed source map: plain maps and index maps with ``sections``."""

from __future__ import annotations

import json
from dataclasses import dataclass

from plugins.errors import KeyguardError

#: Index maps nest; a map nested deeper than this is refused rather than recursed into.
MAX_SECTION_DEPTH = 8
#: Bytes of an XSSI guard some servers put before the JSON.
_XSSI = b")]}'"


class SourceMapError(KeyguardError):
    """A source map that cannot be read (bad JSON, wrong shape, corrupt mappings)."""


@dataclass(frozen=True)
class Original:
    """A position in an original source: 0-based line and column, as maps count."""

    source: str
    line: int
    column: int


@dataclass(frozen=True)
class Section:
    line: int
    column: int
    map: SourceMap


@dataclass(frozen=True)
class SourceMap:
    sources: tuple[str, ...]
    contents: tuple[str | None, ...]
    mappings: str = ""
    sections: tuple[Section, ...] = ()

    def all_contents(self) -> list[tuple[str, str]]:
        """``(source name, text)`` for every embedded original, sections included."""
        out = [
            (s, c) for s, c in zip(self.sources, self.contents, strict=False) if isinstance(c, str)
        ]
        for section in self.sections:
            out.extend(section.map.all_contents())
        return out


def _strings(value: object, field: str) -> list[object]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise SourceMapError(f"source map field {field!r} is not a list")
    return value


def _from_object(obj: object, depth: int) -> SourceMap:
    if not isinstance(obj, dict):
        raise SourceMapError("source map is not a JSON object")
    if obj.get("version") not in (3, "3"):
        raise SourceMapError(f"source map version {obj.get('version')!r} is not 3")
    if "sections" in obj:
        if depth >= MAX_SECTION_DEPTH:
            raise SourceMapError("index map sections nest too deeply")
        sections = []
        for raw in _strings(obj["sections"], "sections"):
            if not isinstance(raw, dict) or not isinstance(raw.get("offset"), dict):
                raise SourceMapError("index map section without an offset")
            line, column = raw["offset"].get("line"), raw["offset"].get("column")
            if not (isinstance(line, int) and isinstance(column, int)) or line < 0 or column < 0:
                raise SourceMapError("index map section offset is not two non-negative integers")
            if "map" not in raw:
                raise SourceMapError(
                    "index map section without an embedded map (url is unsupported)"
                )
            sections.append(Section(line, column, _from_object(raw["map"], depth + 1)))
        sections.sort(key=lambda s: (s.line, s.column))
        return SourceMap((), (), sections=tuple(sections))
    root = obj.get("sourceRoot") or ""
    root = root if isinstance(root, str) else ""
    if root and not root.endswith("/"):
        root += "/"
    sources = tuple(
        root + s if isinstance(s, str) else "" for s in _strings(obj.get("sources"), "sources")
    )
    contents = tuple(
        c if isinstance(c, str) else None
        for c in _strings(obj.get("sourcesContent"), "sourcesContent")
    )
    mappings = obj.get("mappings", "")
    if not isinstance(mappings, str):
        raise SourceMapError("source map mappings is not a string")
    return SourceMap(sources, contents, mappings)


def parse_map(data: bytes) -> SourceMap:
    """A source map from its bytes; raises SourceMapError (never anything else)."""
    text = data.lstrip()
    if text.startswith(_XSSI):
        text = text.split(b"\n", 1)[1] if b"\n" in text else b""
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise SourceMapError(f"source map is not valid JSON ({type(exc).__name__})") from None
    return _from_object(obj, 0)
