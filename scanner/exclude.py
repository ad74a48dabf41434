"""Paths the user asked not to scan, in .gitignore syntax (``dist/``, ``*.min.js``, ``!keep``).

Patterns apply to a path relative to the root being scanned: the directory named for a
scan, the repository for a sweep (the tree path of a blob, a work-tree file's path).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pathspec


@dataclass(frozen=True)
class Excludes:
    patterns: tuple[str, ...] = ()
    _spec: pathspec.GitIgnoreSpec | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        spec = None
        if self.patterns:
            # Imported only when there are patterns: the pre-commit hook never pays for it.
            import pathspec

            spec = pathspec.GitIgnoreSpec.from_lines(self.patterns)
        object.__setattr__(self, "_spec", spec)

    @classmethod
    def of(cls, patterns: Iterable[str]) -> Excludes:
        return cls(tuple(p for p in patterns if p.strip()))

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def match(self, relative_path: str) -> bool:
        """Whether *relative_path* (``/``-separated, no leading ``./``) is excluded."""
        return self._spec is not None and self._spec.match_file(relative_path)
