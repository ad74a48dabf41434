"""What is known about whether a Klaviyo key still works: the one vocabulary of key status.

The words are what every report writes; the members are declared in the one order every
list, table and summary uses, most dangerous first: a key that works, one that may, one
nobody asked about, one Klaviyo refused. Colours belong to the command line's renderers
(``keyguard/render/console.py``), never to the status.
"""

from __future__ import annotations

from enum import Enum


class KeyStatus(str, Enum):
    LIVE = "live"
    LIMITED = "limited"
    UNKNOWN = "unknown"
    UNVERIFIED = "unverified"
    REVOKED = "revoked"

    def __str__(self) -> str:
        # The word, in f-strings and messages on every Python (3.11 changed the default).
        return self.value

    @property
    def meaning(self) -> str:
        return MEANING[self]

    @property
    def rank(self) -> int:
        """Position in the one order: 0 is the most dangerous."""
        return _RANK[self]

    @property
    def active(self) -> bool:
        """The key grants access to the account's data (``--only-live`` keeps these)."""
        return self in (KeyStatus.LIVE, KeyStatus.LIMITED)

    @property
    def asked(self) -> bool:
        """Klaviyo was asked about the key (``--verify``), whether or not it could tell."""
        return self is not KeyStatus.UNVERIFIED

    @property
    def answered(self) -> bool:
        """Klaviyo gave a definite answer: the key works, or it does not."""
        return self.asked and self is not KeyStatus.UNKNOWN


MEANING = {
    KeyStatus.LIVE: "the key authenticates and may read its account",
    KeyStatus.LIMITED: "the key authenticates but lacks accounts:read",
    KeyStatus.UNKNOWN: "Klaviyo could not tell (network, 5xx, rate limit, an odd answer)",
    KeyStatus.UNVERIFIED: "Klaviyo was not asked (verification was not requested)",
    KeyStatus.REVOKED: "Klaviyo rejects the key: invalid or disabled",
}

_RANK = {status: rank for rank, status in enumerate(KeyStatus)}


def most_telling(status: KeyStatus) -> tuple[bool, bool, int]:
    """Sort key, lowest first, for the answer to keep when runs disagree about one key
    (``keyguard merge``): a definite answer beats a failure to tell, which beats not
    asking; among definite answers the more dangerous wins (``live`` beats ``revoked``).
    Reports carry no time, so "most recent" cannot be told, and missing a live key costs
    more than re-checking a revoked one."""
    return (not status.answered, not status.asked, status.rank)
