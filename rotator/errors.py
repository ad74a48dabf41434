"""Errors of the rotation runbook: one line each, saying what happened, never holding a key
(the command line adds what to do next, by the error's kind)."""

from __future__ import annotations

from plugins.errors import ErrorKind, KeyguardError, UsageError


class RotationError(KeyguardError):
    """A step could not complete; the journal still says where the rotation stands."""

    kind = ErrorKind.STEP_FAILED


class VaultUnavailable(RotationError):
    """Vault could not be reached or answered with a server error."""


class VaultAccessError(RotationError):
    """Vault refused the token or a capability the rotation needs."""


class PreflightError(RotationError):
    """The target is not safe to rotate as it stands (KV v1, no headroom, dead key...)."""


class GateError(RotationError):
    """A gate refused to let the rotation go on."""


class NewKeyRejected(GateError):
    """Gate 1 refused the new key (malformed, the old one, dead, another account, scopes):
    the operator can create or paste another."""


class UnusedKeyError(RotationError):
    """A new key was given to a rotation that had already written another one: it stays
    live in Klaviyo, unused, until someone disables it."""


class MalformedNewKey(NewKeyRejected, UsageError):
    """What was given as the new key is not shaped like one: a mistake in the input, not
    a failed step, and nothing was asked of Klaviyo."""

    kind = ErrorKind.USAGE


class KlaviyoUnavailable(RotationError):
    """Klaviyo did not give a usable answer (rate limited, server error, timeout)."""


class ConflictError(RotationError):
    """Someone else wrote the secret during the rotation; nothing was overwritten."""

    kind = ErrorKind.CONFLICT


class LockedError(RotationError):
    """Another keyguard process is driving a rotation of the same secret."""

    kind = ErrorKind.LOCKED


class NoRotationError(RotationError):
    """A command needs a journalled rotation and there is none in progress."""
