"""The single source of truth for the shape of a Klaviyo private API key.

Dependency-free on purpose: the pre-commit hook imports this module, and every
millisecond of import time is felt on each commit. Everything that needs the
pattern (the detect-secrets plugin, the scanner, the rotator) imports it from here.

Formats:
  * ``pk_`` + 34 lowercase hex                       (37 characters, every real key seen)
  * ``pk_`` + 6 alphanumerics + ``_`` + 34 lowercase hex  (the newer prefixed form)

Both sides must be a boundary: not ``[A-Za-z0-9_]``. This is what rejects Stripe and
Clerk ``pk_live_``/``pk_test_``, ClickUp ``pk_<digits>_<UPPER>``, TypeORM ``PK_<hex>``
and keys glued into longer identifiers. Groups are non-capturing because
detect-secrets reports every captured group as a separate secret.
"""

from __future__ import annotations

import re

SECRET_TYPE = "Klaviyo Private API Key"  # noqa: S105 - a type name, not a secret

#: The literal every key starts with; the scanners' cheap prefilter.
PREFIX = "pk_"
PREFIX_BYTES = b"pk_"

#: The key body without boundary checks, anchored at a ``pk_`` found by ``bytes.find``.
BODY = r"pk_(?:[A-Za-z0-9]{6}_)?[0-9a-f]{34}"
#: The full pattern with boundaries on both sides, for ``re.search`` / ``finditer``.
PATTERN = r"(?<![A-Za-z0-9_])" + BODY + r"(?![A-Za-z0-9_])"

KEY_RE = re.compile(PATTERN)
KEY_RE_BYTES = re.compile(PATTERN.encode("ascii"))
#: Matches at a known ``pk_`` position; the caller checks the byte before it.
BODY_RE_BYTES = re.compile((BODY + r"(?![A-Za-z0-9_])").encode("ascii"))
_FULL_RE = re.compile(BODY)

#: Bytes that may not touch a key on either side.
WORD_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")

#: Longest possible key, in characters (``pk_`` + 6 + ``_`` + 34).
MAX_KEY_LENGTH = 44


def is_key(text: str) -> bool:
    """True when *text* is exactly one well-formed Klaviyo private key."""
    return _FULL_RE.fullmatch(text) is not None


def fingerprint(key: str) -> str:
    """Lowercase hex SHA-256 of the key's UTF-8 bytes: a key's identity everywhere."""
    import hashlib  # on first use: a commit with no key never pays for OpenSSL's start-up

    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def baseline_hash(key: str) -> str:
    """SHA-1 hex, the ``hashed_secret`` that detect-secrets baselines store."""
    import hashlib

    return hashlib.sha1(key.encode("utf-8"), usedforsecurity=False).hexdigest()


def redact(key: str) -> str:
    """``pk_…`` plus the last four characters: enough to tell keys apart, useless to an attacker."""
    return f"{PREFIX}…{key[-4:]}"


def redact_keys(text: str) -> str:
    """*text* with every whole key in it redacted: the last guard before text leaves us."""
    if PREFIX not in text:
        return text
    return KEY_RE.sub(lambda m: redact(m.group()), text)


def short_fingerprint(fp: str) -> str:
    """The first 12 hex digits of a fingerprint, for people."""
    return fp[:12]


class Secret:
    """A key held in memory that refuses to show itself by accident.

    ``repr``/``str`` give the redacted form, so a secret that ends up in a log line,
    an exception message or a rich traceback shows only ``pk_…abcd``.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    @property
    def fingerprint(self) -> str:
        return fingerprint(self._value)

    @property
    def baseline_hash(self) -> str:
        return baseline_hash(self._value)

    @property
    def redacted(self) -> str:
        return redact(self._value)

    def __repr__(self) -> str:
        return f"Secret({self.redacted})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> str:
        # Never pickle a key (multiprocessing, caches): fail loudly instead.
        raise TypeError("a Secret cannot be pickled")
