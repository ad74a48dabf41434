"""All decoders over one blob, with duplicates (and plain keys) removed."""

from __future__ import annotations

from collections.abc import Callable

from scanner.decode.base import DecodedHit, prefix_positions
from scanner.decode.base64s import find_base64
from scanner.decode.concat import find_concatenated
from scanner.decode.escapes import find_entities, find_escaped, find_percent
from scanner.decode.utf16 import find_utf16

#: Each takes the blob and the offsets of its plain ``pk_`` (shared, computed once).
DECODERS: tuple[Callable[[bytes, list[int]], list[DecodedHit]], ...] = (
    find_escaped,
    find_percent,
    find_entities,
    find_base64,
    find_utf16,
)


def decode_all(
    data: bytes,
    taken: list[tuple[int, int]] | None = None,
    prefixes: list[int] | None = None,
    signals: dict[str, int] | None = None,
) -> list[DecodedHit]:
    """Keys that only an encoding hid, in offset order; *taken* spans (plain hits) are skipped.

    *prefixes* are the offsets of plain ``pk_`` when the caller already has them;
    *signals* collects what a decoder noticed without decoding (see ``find_concatenated``).
    """
    spans = sorted(taken or ())
    found: list[DecodedHit] = []
    if prefixes is None:
        prefixes = prefix_positions(data)
    found_by = [decoder(data, prefixes) for decoder in DECODERS]
    found_by.append(find_concatenated(data, prefixes, signals))
    for decoded in found_by:
        for hit in decoded:
            if any(lo <= hit.start < hi or hit.start <= lo < hit.end for lo, hi in spans):
                continue
            spans.append((hit.start, hit.end))
            found.append(hit)
    found.sort(key=lambda h: h.start)
    return found
