"""Source maps (ECMA-426, revision 3): read them, and map a bundle position to its origin."""

from __future__ import annotations

from scanner.sourcemap.lookup import lookup_many
from scanner.sourcemap.model import Original, SourceMap, SourceMapError, parse_map

__all__ = ["Original", "SourceMap", "SourceMapError", "lookup_many", "parse_map"]
