"""Errors of the rotation runbook: one line each, saying what to do next, never holding a key."""

from __future__ import annotations

from plugins.errors import KeyguardError, UsageError

#: Exit codes of ``keyguard rotate`` besides 0 (done), 10 (waiting for a new key),
#: 11 (waiting for the old key to be disabled) and 12 (waiting for integration confirmations).
EXIT_ROTATION_FAILED = 4
EXIT_CONFLICT = 5
EXIT_LOCKED = 6


class RotationError(KeyguardError):
    """A step could not complete; the journal still says where the rotation stands."""

    exit_code = EXIT_ROTATION_FAILED


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
    a failed step (exit code 2), and nothing was asked of Klaviyo."""

    exit_code = 2


class KlaviyoUnavailable(RotationError):
    """Klaviyo did not give a usable answer (rate limited, server error, timeout)."""


class ConflictError(RotationError):
    """Someone else wrote the secret during the rotation; nothing was overwritten."""

    exit_code = EXIT_CONFLICT


class LockedError(RotationError):
    """Another keyguard process is driving a rotation of the same secret."""

    exit_code = EXIT_LOCKED


class NoRotationError(RotationError):
    """A command needs a journalled rotation and there is none in progress."""
