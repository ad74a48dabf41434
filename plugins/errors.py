"""The one exception root of keyguard. Messages are one line and never contain a key."""

from __future__ import annotations


class KeyguardError(Exception):
    """Base of every error keyguard raises on purpose."""


class UsageError(KeyguardError):
    """The user asked for something that cannot work as asked (exit code 2)."""
