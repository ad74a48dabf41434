"""Content-Encoding decoded with bounded output, so a small compressed answer cannot inflate
past the crawl's caps in memory (a 3 KB brotli body can unpack to gigabytes in one call).

Each decoder turns raw chunks into decoded pieces of about :data:`PIECE` bytes at most; the
caller stops reading when it has enough, and the rest is never inflated. Encodings are
chained the way they were applied (``Content-Encoding: gzip, br`` is undone br first).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator

import brotli

PIECE = 1 << 20  # decoded bytes produced per step, at most (brotli may exceed it a little)

Decoder = Callable[[Iterator[bytes]], Iterator[bytes]]


class DecodeError(Exception):
    """The body is not valid for its Content-Encoding."""


def _bounded_brotli() -> bool:
    """Whether the installed brotli can stop inflating at an output limit (brotli >= 1.2)."""
    if not hasattr(brotli.Decompressor, "can_accept_more_data"):
        return False
    try:
        brotli.Decompressor().process(b"", output_buffer_limit=PIECE)
    except TypeError:
        return False
    return True


BROTLI_BOUNDED = _bounded_brotli()


def _zlib(wbits: int, *, fallback: int | None = None) -> Decoder:
    def decode(raw: Iterator[bytes]) -> Iterator[bytes]:
        inflater = zlib.decompressobj(wbits)
        first = True
        for chunk in raw:
            data = chunk
            while data and not inflater.eof:
                try:
                    piece = inflater.decompress(data, PIECE)
                except zlib.error as exc:
                    if first and fallback is not None:
                        # "deflate" servers often send raw deflate, without the zlib header.
                        inflater = zlib.decompressobj(fallback)
                        first = False
                        continue
                    raise DecodeError(str(exc)) from None
                first = False
                data = inflater.unconsumed_tail
                if piece:
                    yield piece

    return decode


def _brotli(raw: Iterator[bytes]) -> Iterator[bytes]:
    inflater = brotli.Decompressor()
    try:
        for chunk in raw:
            piece = inflater.process(chunk, output_buffer_limit=PIECE)
            while True:
                if piece:
                    yield piece
                if inflater.can_accept_more_data() or inflater.is_finished():
                    break
                piece = inflater.process(b"", output_buffer_limit=PIECE)
    except brotli.error as exc:
        raise DecodeError(str(exc) or "invalid brotli stream") from None


DECODERS: dict[str, Decoder] = {
    "gzip": _zlib(zlib.MAX_WBITS | 16),
    "x-gzip": _zlib(zlib.MAX_WBITS | 16),
    "deflate": _zlib(zlib.MAX_WBITS, fallback=-zlib.MAX_WBITS),
}
if BROTLI_BOUNDED:
    DECODERS["br"] = _brotli

#: What the crawler offers: only what it can decode within its bounds.
ACCEPT_ENCODING = ", ".join(name for name in ("br", "gzip", "deflate") if name in DECODERS)


def encodings(header: str) -> list[str]:
    """The codings of a Content-Encoding header, in the order they were applied."""
    names = [part.strip().lower() for part in header.split(",")]
    return [name for name in names if name and name != "identity"]


def unsupported(header: str) -> str | None:
    """The first coding in *header* this module cannot decode, or None."""
    return next((name for name in encodings(header) if name not in DECODERS), None)


def decoded(raw: Iterator[bytes], header: str) -> Iterator[bytes]:
    """*raw* undone of every coding in *header* (check :func:`unsupported` first)."""
    pieces = raw
    for name in reversed(encodings(header)):
        pieces = DECODERS[name](pieces)
    return pieces
