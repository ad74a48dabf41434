"""One pass over a blob that finds where every detector must look.

Each detector (the plain matcher and each decoder) is given a few patterns that match the
start of what it decodes: a whole plain key, an encoded ``pk_`` (at least one of its three
characters escaped, percent-encoded or a character reference), a plain ``pk_`` whose body
carries on encoded, the base64 spellings of ``pk_`` at its three alignments, UTF-16 ``pk_``
and the joints of a split literal. All of them run at once over the blob, and the exact
decoders then read only bounded windows around what matched.

Two engines run the same patterns. Hyperscan (the multi-pattern engine Kingfisher uses)
scans a large blob once for all of them at several GB/s; it is loaded on the first blob
that is worth it, so a pre-commit hook over a few small files never pays its import.
Small blobs go through ``re``, one pass a pattern. Both engines report the end offset of
each match; callers widen windows backwards. Each candidate costs its decoder a
bounded window, so work is linear in the blob; base64, whose gates a run of encoded ``pk_``
can fire every four bytes, is marked ``dense`` past :data:`CANDIDATE_LIMIT` candidates and
then decodes whole runs instead.
"""

from __future__ import annotations

import contextlib
import functools
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

PLAIN = "plain"
ESCAPE = "escape"
PERCENT = "percent"
ENTITY = "entity"
BASE64 = "base64"
UTF16 = "utf16"
CONCAT = "concat"
#: Not a decoder: an inline source map, whose sources the map reader decodes.
INLINE_MAP = "inline-map"

#: An escaped ``p``, ``k`` or ``_``: JS/JSON ``\x70 \u0070 \u{70} \160``, CSS ``\70 ``;
#: runs of backslashes (a JSON string inside a JS string doubles them) count as one.
_ESC = {
    c: rb"\\+(?:x" + h + rb"|u00" + h + rb"|u\{0*" + h + rb"\}|" + o + rb"|0{0,4}" + h + rb")"
    for c, h, o in (
        ("p", rb"70", rb"160"),
        ("k", rb"6[bB]", rb"153"),
        ("_", rb"5[fF]", rb"137"),
    )
}
_PCT = {c: rb"%(?:25)*" + h for c, h in (("p", b"70"), ("k", b"6[bB]"), ("_", b"5[fF]"))}
_ENT = {
    "p": rb"&#(?:[xX]0*70|0*112)",
    "k": rb"&#(?:[xX]0*6[bB]|0*107)",
    "_": rb"&(?:#(?:[xX]0*5[fF]|0*95)|lowbar;|UnderBar;)",
}
#: Key characters after a plain ``pk_`` before an encoded body character turns up.
_BODY_SO_FAR = rb"pk_[0-9A-Za-z_]{0,42}"


def _encoded_prefix(enc: dict[str, bytes], sep: bytes = b"") -> list[bytes]:
    """``pk_`` with at least one character encoded, and plain ``pk_`` then encoded body."""

    def unit(c: str) -> bytes:
        return b"(?:" + c.encode() + b"|" + enc[c] + b")" + sep

    return [
        enc["p"] + sep + unit("k") + unit("_"),
        b"p" + enc["k"] + sep + unit("_"),
        b"pk" + enc["_"],
    ]


_Q = rb"\\?[\"'`]"
#: Family -> patterns. Every pattern is in the syntax both ``re`` and Hyperscan accept.
PATTERNS: dict[str, list[bytes]] = {
    PLAIN: [rb"pk_(?:[A-Za-z0-9]{6}_)?[0-9a-f]{34}"],
    ESCAPE: [*_encoded_prefix(_ESC, rb"[ \t\n]?"), _BODY_SO_FAR + rb"\\"],
    PERCENT: [*_encoded_prefix(_PCT), _BODY_SO_FAR + rb"%"],
    ENTITY: [*_encoded_prefix(_ENT, b";?"), _BODY_SO_FAR + rb"&"],
    BASE64: [rb"cGtf", rb"BrX", rb"wa1"],
    UTF16: [rb"p\x00k\x00_\x00", rb"\x00p\x00k\x00_"],
    CONCAT: [
        rb"p" + _Q + rb"\s*[+,]\s*" + _Q + rb"k",
        rb"p\$\{\s*" + _Q + rb"k",
        rb"pk" + _Q + rb"\s*[+,]\s*" + _Q + rb"_",
        rb"pk\$\{\s*" + _Q + rb"_",
        _BODY_SO_FAR + rb"(?:" + _Q + rb"\s*[+,}]|\$\{)",
    ],
    INLINE_MAP: [rb"sourceMappingURL=data:"],
}
FAMILIES = tuple(PATTERNS)
#: Families whose decoder has a whole-blob method for dense input (base64 decodes runs whole;
#: concatenation first asks whether the blob without its joints holds a key). The others
#: keep every candidate: each costs a bounded window, so their work is linear anyway.
_CAPPED = frozenset({BASE64, CONCAT})
#: Candidates of one family in one blob before its decoder reads the blob whole instead.
CANDIDATE_LIMIT = 20_000
#: Once this many bytes have been gated in one process, loading Hyperscan (about 30 ms,
#: once) pays for itself: ``re`` runs a pass a pattern, about 60 MB/s over all of them.
HYPERSCAN_FROM = 2 * 1024 * 1024

_ENTRIES = [(family, pattern) for family in FAMILIES for pattern in PATTERNS[family]]


_NONE: tuple[int, ...] = ()


@dataclass(frozen=True)
class Gates:
    """End offsets of every candidate in one blob, per family, in ascending order.

    Only families with a candidate have an entry. A family in ``dense`` passed
    :data:`CANDIDATE_LIMIT`; its list is then incomplete and its decoder must not rely on it.
    """

    ends: Mapping[str, Sequence[int]] = field(default_factory=dict)
    dense: frozenset[str] = frozenset()

    def __getitem__(self, family: str) -> Sequence[int]:
        return self.ends.get(family, _NONE)

    def only(self, *families: str) -> Gates:
        """These gates with every other family emptied."""
        return Gates(
            {f: v for f, v in self.ends.items() if f in families}, self.dense & set(families)
        )

    def any(self) -> bool:
        """True when any detector has a candidate."""
        return bool(self.ends) or bool(self.dense)

    def any_decoder(self) -> bool:
        """True when some decoder has a candidate (plain keys aside)."""
        return bool(self.dense) or any(f not in (PLAIN, INLINE_MAP) for f in self.ends)


_EMPTY = Gates()


def find_gates(data: bytes, *, engine: str = "auto") -> Gates:
    """Every candidate in *data*. *engine* is ``auto``, ``re`` or ``hyperscan``."""
    if engine == "auto" and not _LOADED.is_set():
        _SEEN[0] += len(data)
        if _SEEN[0] >= HYPERSCAN_FROM:
            engine = "hyperscan"
    use_hs = engine == "hyperscan" or (engine == "auto" and _LOADED.is_set())
    if use_hs:
        scan = _hyperscan()
        if scan is not None:
            return scan(data)
    return _regex_gates(data)


def _regex_gates(data: bytes) -> Gates:
    ends: dict[str, list[int]] = {}
    dense: set[str] = set()
    for family, patterns in _compiled_re().items():
        found: list[int] = []
        for pattern in patterns:
            for m in pattern.finditer(data):
                found.append(m.end())
                if family in _CAPPED and len(found) > CANDIDATE_LIMIT:
                    dense.add(family)
                    break
            if family in dense:
                break
        if found:
            ends[family] = sorted(found)
    return Gates(ends, frozenset(dense)) if ends or dense else _EMPTY


@functools.cache
def _compiled_re() -> dict[str, list[re.Pattern[bytes]]]:
    return {f: [re.compile(p, re.S) for p in patterns] for f, patterns in PATTERNS.items()}


_LOADED = threading.Event()
#: Bytes gated by ``re`` so far in this process (a lost update between threads only
#: delays the switch).
_SEEN = [0]


@functools.cache
def _hyperscan() -> Callable[[bytes], Gates] | None:
    """A Hyperscan-backed scanner, or None where the engine cannot be loaded here."""
    try:
        import hyperscan
    except ImportError:
        return None
    local = threading.local()

    @functools.cache
    def database(excluded: frozenset[str]) -> tuple[Any, list[str]]:
        """The database of every family but *excluded* (dense here), and its ids' families."""
        entries = [(f, p) for f, p in _ENTRIES if f not in excluded]
        db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        db.compile(
            expressions=[p for _, p in entries],
            ids=list(range(len(entries))),
            elements=len(entries),
            flags=[hyperscan.HS_FLAG_DOTALL] * len(entries),
        )
        return db, [f for f, _ in entries]

    def scratch_for(excluded: frozenset[str], db: Any) -> Any:
        scratches: dict[frozenset[str], Any] = local.__dict__.setdefault("scratches", {})
        if excluded not in scratches:
            scratches[excluded] = hyperscan.Scratch(db)
        return scratches[excluded]

    def scan(data: bytes) -> Gates:
        excluded: frozenset[str] = frozenset()
        while True:
            db, families = database(excluded)
            raw: list[tuple[str, int]] = []
            counts: dict[str, int] = {}
            over: list[str] = []

            def on_match(pattern_id: int, _from: int, to: int, _flags: int, _ctx: Any) -> bool:
                family = families[pattern_id]  # noqa: B023 - used before the loop moves on
                raw.append((family, to))  # noqa: B023
                if family in _CAPPED:
                    counts[family] = counts.get(family, 0) + 1  # noqa: B023
                    if counts[family] > CANDIDATE_LIMIT:  # noqa: B023
                        over.append(family)  # noqa: B023
                        return True  # stop: scan again without this dense family
                return False

            with contextlib.suppress(hyperscan.ScanTerminated):  # on_match stopped it
                db.scan(data, match_event_handler=on_match, scratch=scratch_for(excluded, db))
            if not over:
                break
            # One more pass in C without the dense family beats a Python call for each of
            # its candidates: a blob is scanned at most once per capped family, plus once.
            excluded |= {over[0]}
        if not raw and not excluded:
            return _EMPTY
        ends: dict[str, list[int]] = {}
        for family, to in raw:
            ends.setdefault(family, []).append(to)
        return Gates({f: sorted(v) for f, v in ends.items()}, excluded)

    database(frozenset())  # compiled now: a bad pattern fails here, not mid-sweep
    _LOADED.set()
    return scan
