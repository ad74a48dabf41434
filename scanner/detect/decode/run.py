"""All decoders over one blob, with duplicates (and plain keys) removed."""

from __future__ import annotations

from collections.abc import Callable

from scanner.detect.decode.base import DecodedHit
from scanner.detect.decode.base64s import find_base64
from scanner.detect.decode.concat import find_concatenated
from scanner.detect.decode.escapes import find_entities, find_escaped, find_percent
from scanner.detect.decode.gate import Gates, find_gates
from scanner.detect.decode.utf16 import find_utf16

#: Each takes the blob and its one-pass gates (computed once, shared).
DECODERS: tuple[Callable[[bytes, Gates], list[DecodedHit]], ...] = (
    find_escaped,
    find_percent,
    find_entities,
    find_base64,
    find_utf16,
)


def decode_all(
    data: bytes,
    taken: list[tuple[int, int]] | None = None,
    gates: Gates | None = None,
    signals: dict[str, int] | None = None,
) -> list[DecodedHit]:
    """Keys that only an encoding hid, in offset order; *taken* spans (plain hits) are skipped.

    *gates* are the blob's one-pass gates when the caller already has them; *signals*
    collects what a decoder noticed without decoding (see ``find_concatenated``).
    """
    if gates is None:
        gates = find_gates(data)
    found_by = [decoder(data, gates) for decoder in DECODERS]
    found_by.append(find_concatenated(data, gates, signals))
    # Every span with its rank (plain hits first, then decoders in order); where spans
    # overlap the best-ranked wins. Overlaps are rare and local: sort once, then settle
    # each cluster of overlapping spans on its own, so many keys cost n log n, not n².
    spans: list[tuple[int, int, int, DecodedHit | None]]
    spans = [(lo, hi, -1, None) for lo, hi in taken or ()]
    spans += [(h.start, h.end, rank, h) for rank, hits in enumerate(found_by) for h in hits]
    spans.sort(key=lambda s: (s[0], s[2]))
    found: list[DecodedHit] = []
    cluster: list[tuple[int, int, int, DecodedHit | None]] = []
    reach = -1
    for span in spans:
        if cluster and span[0] >= reach:
            found.extend(_settle(cluster))
            cluster = []
        cluster.append(span)
        reach = max(reach, span[1]) if len(cluster) > 1 else span[1]
    found.extend(_settle(cluster))
    found.sort(key=lambda h: h.start)
    return found


def _settle(cluster: list[tuple[int, int, int, DecodedHit | None]]) -> list[DecodedHit]:
    """The decoded hits of one cluster that no better-ranked span overlaps."""
    if len(cluster) == 1:
        hit = cluster[0][3]
        return [hit] if hit is not None else []
    kept: list[tuple[int, int]] = []
    out: list[DecodedHit] = []
    for lo, hi, _rank, hit in sorted(cluster, key=lambda s: s[2]):
        if any(k_lo < hi and lo < k_hi for k_lo, k_hi in kept):
            continue
        kept.append((lo, hi))
        if hit is not None:
            out.append(hit)
    return out
