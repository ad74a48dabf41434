"""The one exception root of keyguard. Messages are one line and never contain a key.

An error says what happened; its ``kind`` says what sort of failure it is, for the command
line to map to an exit code (``keyguard/exit_codes.py``). The core keeps no exit codes.
"""

from __future__ import annotations

from enum import Enum
from typing import ClassVar


class ErrorKind(Enum):
    """What sort of failure an error is, as a machine reads it."""

    USAGE = "usage"  # asked for something that cannot work as asked, or misconfigured
    UNREADABLE = "unreadable"  # something named could not be read or reached
    STEP_FAILED = "step_failed"  # a rotation step could not complete; resumable
    CONFLICT = "conflict"  # someone else changed the secret; nothing was overwritten
    LOCKED = "locked"  # another process holds the rotation


class KeyguardError(Exception):
    """Base of every error keyguard raises on purpose."""

    kind: ClassVar[ErrorKind] = ErrorKind.USAGE


class UsageError(KeyguardError):
    """The user asked for something that cannot work as asked."""

    kind = ErrorKind.USAGE
