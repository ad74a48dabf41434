"""Generated position -> original position, for many positions in one pass over ``mappings``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from scanner.detect.sourcemap.model import Original, SourceMap, SourceMapError
from scanner.detect.sourcemap.vlq import decode_segment

Position = tuple[int, int]  # 0-based generated line, 0-based UTF-16 column


def _values(segment: str, decoded: dict[str, list[int]]) -> list[int]:
    values = decoded.get(segment)
    if values is None:
        values = decoded[segment] = decode_segment(segment)
        if len(values) not in (0, 1, 4, 5):
            raise SourceMapError("source map segment has a field count other than 1, 4 or 5")
    return values


def _plain(smap: SourceMap, wanted: list[Position]) -> dict[Position, Original | None]:
    """One pass over the mappings, stopping after the last line asked about."""
    out: dict[Position, Original | None] = dict.fromkeys(wanted)
    by_line: dict[int, list[int]] = {}
    for line, column in wanted:
        by_line.setdefault(line, []).append(column)
    last_line = max(by_line, default=-1)
    source = orig_line = orig_column = 0
    # Minified maps repeat the same few thousand segments hundreds of thousands of times:
    # decoding each distinct one once makes a 6 MB map a dictionary walk.
    decoded: dict[str, list[int]] = {}
    for line, text in enumerate(smap.mappings.split(";")):
        if line > last_line:
            break
        if line not in by_line:
            # Only the running sums matter on a line nobody asked about, and they do not
            # depend on segment order: count the segments (in C) and multiply.
            for segment, count in Counter(text.split(",")).items():
                values = _values(segment, decoded)
                if len(values) > 1:
                    source += values[1] * count
                    orig_line += values[2] * count
                    orig_column += values[3] * count
            continue
        gen_column = 0
        segments: list[tuple[int, int, int, int]] = []
        for segment in text.split(","):
            values = _values(segment, decoded)
            if not values:
                continue
            gen_column += values[0]
            if len(values) == 1:
                continue
            source += values[1]
            orig_line += values[2]
            orig_column += values[3]
            segments.append((gen_column, source, orig_line, orig_column))
        for column in by_line.get(line, ()):
            best = None
            for seg in segments:
                if seg[0] <= column and (best is None or seg[0] >= best[0]):
                    best = seg
            # A segment naming a source outside the list, or a negative position, is
            # corrupt: no answer rather than a wrong one.
            if best is not None and 0 <= best[1] < len(smap.sources) and min(best[2:]) >= 0:
                out[(line, column)] = Original(smap.sources[best[1]], best[2], best[3])
    return out


def lookup_many(smap: SourceMap, positions: Iterable[Position]) -> dict[Position, Original | None]:
    """The original of each generated position (None where the map says nothing)."""
    wanted = sorted(set(positions))
    if not smap.sections:
        return _plain(smap, wanted)
    out: dict[Position, Original | None] = {}
    for line, column in wanted:
        section = None
        for candidate in smap.sections:
            if (candidate.line, candidate.column) <= (line, column):
                section = candidate
        if section is None:
            out[(line, column)] = None
            continue
        rel = (line - section.line, column - section.column if line == section.line else column)
        out[(line, column)] = lookup_many(section.map, [rel])[rel]
    return out
