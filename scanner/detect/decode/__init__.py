"""Decoders for keys an encoding hides: escapes, percent, entities, base64, UTF-16, concatenation.

Every decoder is gated by a cheap search for an encoded form of ``pk_`` (or a plain
``pk_`` with an encoded body right after it), so text that holds no such thing costs a
few ``bytes.find``-speed scans and no decoding at all. Gated regions are decoded in
small windows that keep, for every decoded character, the offset of the raw byte it
came from, so a decoded key still gets the line and column where it sits in the file.
"""

from __future__ import annotations

from scanner.detect.decode.base import DecodedHit
from scanner.detect.decode.run import decode_all

__all__ = ["DecodedHit", "decode_all"]
