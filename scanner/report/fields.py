"""Typed reads of a report's JSON objects: a wrong or missing field is one ReportError.

Reports are read back (``keyguard merge``, ``verify --from-report``), so whatever a file
holds ends in typed records or in one line naming the field that is wrong. Messages name
fields, never values: a value could be a key.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

from plugins.errors import ErrorKind, KeyguardError

T = TypeVar("T")


class ReportError(KeyguardError):
    """A file given as a keyguard report cannot be read as one."""

    kind = ErrorKind.USAGE


class Fields:
    """One JSON object of a report; *where* names it (``findings[2].occurrences[0]``).

    A field that has a default may be missing (reports written before ``schema_version``,
    or by hand); ``null`` counts as missing only where the record allows ``None``.
    """

    def __init__(self, value: object, where: str) -> None:
        if not isinstance(value, dict):
            raise ReportError(f"{where or 'the document'} must be an object")
        self._value: dict[str, object] = value
        self.where = where

    def __contains__(self, key: str) -> bool:
        return key in self._value

    def _name(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def _get(self, key: str, kind: type[T], what: str, default: T | None) -> T:
        value = self._value.get(key, default)
        # bool is an int to Python, never to a report.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ReportError(f"{self._name(key)} must be {what}")
        return value

    def text(self, key: str, default: str | None = None) -> str:
        return self._get(key, str, "a string", default)

    def integer(self, key: str, default: int | None = None, *, least: int = 0) -> int:
        value = self._get(key, int, "an integer", default)
        if value < least:
            raise ReportError(f"{self._name(key)} must be at least {least}")
        return value

    def flag(self, key: str, default: bool | None = None) -> bool:
        return self._get(key, bool, "true or false", default)

    def optional_text(self, key: str) -> str | None:
        return None if self._value.get(key) is None else self.text(key)

    def optional_flag(self, key: str) -> bool | None:
        return None if self._value.get(key) is None else self.flag(key)

    def optional_integer(self, key: str) -> int | None:
        return None if self._value.get(key) is None else self.integer(key)

    def texts(self, key: str) -> tuple[str, ...]:
        values = self._get(key, list, "a list of strings", [])
        if not all(isinstance(v, str) for v in values):
            raise ReportError(f"{self._name(key)} must be a list of strings")
        return tuple(values)

    def record(self, key: str) -> Fields | None:
        """The object under *key*, or None when it is missing or null."""
        value = self._value.get(key)
        return None if value is None else Fields(value, self._name(key))

    def records(self, key: str, *, required: bool = False) -> Iterator[Fields]:
        """Each object of the list under *key* (a missing list is empty unless *required*)."""
        if key not in self._value and not required:
            return
        values = self._get(key, list, "a list", None)
        for i, value in enumerate(values):
            yield Fields(value, f"{self._name(key)}[{i}]")
