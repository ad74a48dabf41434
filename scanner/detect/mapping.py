"""Give each key found in a bundle or a source map the original file, line and column.

* A key in a bundle: the bundle's ``sourceMappingURL`` (inline ``data:`` or resolved by
  the source's resolver, never read from elsewhere) maps its position back.
* A key in a map's ``sourcesContent`` (a ``.map`` file, or an inline map): the original
  file and line inside that content.
"""

from __future__ import annotations

import posixpath
import urllib.parse
from dataclasses import dataclass, replace

from plugins.errors import KeyguardError
from scanner.detect.archives import Note
from scanner.detect.sourcemap.lookup import lookup_many
from scanner.detect.sourcemap.model import Original, SourceMap, SourceMapError, parse_map
from scanner.detect.sourcemap.reference import MapSource, Resolver, decode_data_uri, find_reference
from scanner.detect.textscan import Hit, scan_text, utf8_positions
from scanner.findings import SourceLocation

_MAPPED_SUFFIXES = (".js", ".mjs", ".cjs", ".css", ".jsx", ".bundle")


@dataclass(frozen=True)
class Located:
    hit: Hit
    original: SourceLocation | None = None


def looks_like_map(path: str, data: bytes) -> bool:
    if path.lower().endswith(".map"):
        return True
    head = data[:64].lstrip()
    return head.startswith((b"{", b")]}'")) and b'"mappings"' in data and b'"version"' in data


def _content_hits(smap: SourceMap) -> list[tuple[str, Hit]]:
    out: list[tuple[str, Hit]] = []
    for source, text in smap.all_contents():
        if "pk" not in text and "\\" not in text and "%" not in text and "&" not in text:
            continue  # nothing a decoder could turn into a key either
        out.extend((source, h) for h in scan_text(text.encode("utf-8", "surrogatepass")))
    return out


def source_name(map_location: str, source: str) -> str:
    """A map's source named the way a reader finds it: relative ones against the map."""
    if ":" in source.split("/", 1)[0] or not source:
        return source  # webpack://, https://, a drive letter: keep as the map says
    if "://" in map_location:
        return urllib.parse.urljoin(map_location, source)
    return posixpath.normpath(posixpath.join(posixpath.dirname(map_location), source))


def _pair(
    region: list[Hit], content: list[tuple[str, Hit]], fallback: Hit | None, where: str
) -> list[Located]:
    """Match keys in the map's bytes with the same keys in its ``sourcesContent``, in order."""
    located: list[Located] = []
    unpaired = list(region)
    for source, ch in content:
        loc = SourceLocation(source_name(where, source), ch.line, ch.column)
        match = next((h for h in unpaired if h.key == ch.key), None)
        if match is not None:
            unpaired.remove(match)
            located.append(Located(match, loc))
        elif fallback is not None:
            # Hidden from the byte scan (escaped past every decoder): report it at the map.
            located.append(
                Located(
                    replace(
                        fallback, key=ch.key, encoding="sourcesContent", allowlisted=ch.allowlisted
                    ),
                    loc,
                )
            )
    located.extend(Located(h) for h in unpaired)
    return located


def _refine(smap_contents: dict[str, str], key: str, orig: Original, where: str) -> SourceLocation:
    """The segment's position, or the key's own column when the original line shows it."""
    text = smap_contents.get(orig.source)
    column = orig.column
    if text is not None:
        lines = text.split("\n")
        if orig.line < len(lines):
            at = lines[orig.line].find(key, orig.column)
            if at != -1 and at - orig.column < 512:
                column = len(lines[orig.line][:at].encode("utf-16-le", "surrogatepass")) // 2
    return SourceLocation(source_name(where, orig.source), orig.line + 1, column + 1)


def _map_positions(smap: SourceMap, hits: list[Hit], where: str) -> list[Located]:
    answers = lookup_many(smap, [(h.line - 1, h.column - 1) for h in hits])
    contents = dict(smap.all_contents())
    out = []
    for h in hits:
        orig = answers.get((h.line - 1, h.column - 1))
        out.append(Located(h, _refine(contents, h.key, orig, where) if orig else None))
    return out


def _beside(path: str, reference: str) -> str:
    """Where a map named by *reference* sits, relative to the blob at *path*."""
    if "://" in path:
        return urllib.parse.urljoin(path, reference)
    return posixpath.join(posixpath.dirname(path), urllib.parse.unquote(reference))


def locate(
    path: str,
    data: bytes,
    hits: list[Hit],
    resolve: Resolver | None,
    notes: list[Note],
    split_at: int | None = None,
) -> list[Located]:
    """*hits* with originals attached, plus keys only an embedded map's sources hold.

    *split_at* is where a map's raw bytes show a key split by concatenation inside an
    embedded source (quotes escaped by JSON): the sources are read even without *hits*.
    """
    try:
        if looks_like_map(path, data):
            if not hits and split_at is None:
                return []
            try:
                smap = parse_map(data)
            except SourceMapError:
                if b'"mappings"' not in data:
                    return [Located(h) for h in hits]  # some other ``.map`` file: no note
                raise
            if hits:
                fallback = hits[0]
            else:
                assert split_at is not None
                at = split_at
                line, column, byte_column = utf8_positions(data, [at])[at]
                fallback = Hit("", at, at, line, column, byte_column, "", False)
            return _pair(hits, _content_hits(smap), fallback, path)
        ref = find_reference(data)
        if ref is not None and ref.url.startswith("data:"):
            smap = parse_map(decode_data_uri(ref.url))
            inside = [h for h in hits if ref.start <= h.start < ref.end]
            outside = [h for h in hits if not ref.start <= h.start < ref.end]
            line, column, byte_column = utf8_positions(data, [ref.start])[ref.start]
            fallback = Hit("", ref.start, ref.end, line, column, byte_column, "", False)
            return _pair(inside, _content_hits(smap), fallback, path) + (
                _map_positions(smap, outside, path) if outside else []
            )
        if not hits:
            return []
        raw = None
        reference = ref.url if ref is not None else posixpath.basename(path) + ".map"
        if resolve is not None and (ref is not None or path.lower().endswith(_MAPPED_SUFFIXES)):
            raw = resolve(reference)
        if raw is None:
            return [Located(h) for h in hits]
        if isinstance(raw, MapSource):
            data, where = raw.data, raw.location
        else:
            data, where = raw, _beside(path, reference)
        return _map_positions(parse_map(data), hits, where)
    except KeyguardError as exc:
        notes.append(Note(str(exc), exc.kind, tuple(exc.facts.items())))
        return [Located(h) for h in hits]
