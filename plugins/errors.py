"""The one exception root of keyguard. Messages are one line and never contain a key.

An error says what happened (``str(error)``, with the paths, names and counts that matter)
and what sort of failure it is (``kind``), with any other fact the next step needs
(``facts``). The command line maps the kind to an exit code and words the next step: the
flag to pass, the command to run (``keyguard/error_handler.py``,
``keyguard/error_wording.py``). Nothing here knows the command line's words or codes.
"""

from __future__ import annotations

from enum import Enum


class ErrorKind(Enum):
    """What sort of failure an error (or a note of a scan) is, for a machine to read."""

    # The message says all there is to say.
    USAGE = "usage"  # asked for something that cannot work as asked, or misconfigured
    UNREADABLE = "unreadable"  # something named could not be read or reached
    STEP_FAILED = "step_failed"  # a rotation step could not complete; the journal says where
    CONFLICT = "conflict"  # someone else wrote the secret; nothing was overwritten
    LOCKED = "locked"  # another process is driving a rotation of the same secret

    # Usage errors whose next step is an option of the command line.
    VAULT_LOGIN_INCOMPLETE = "vault_login_incomplete"  # facts: method, missing
    VAULT_AUTH_UNKNOWN = "vault_auth_unknown"  # facts: method, choices
    UNREACHABLE_NARROWED = "unreachable_narrowed"  # every object, yet a range or refs
    BAD_SHARD = "bad_shard"  # facts: text, problem
    STAGED_WITHOUT_GIT = "staged_without_git"  # the index was asked for; git cannot run
    STAGED_OUTSIDE_WORK_TREE = "staged_outside_work_tree"  # the index of no work tree
    BASELINE_NOT_JSON = "baseline_not_json"
    BASELINE_TOO_OLD = "baseline_too_old"  # written before detect-secrets 1.0
    NOT_A_REPORT = "not_a_report"  # a file given as a JSON report is not one
    KLAVIYO_URL_INVALID = "klaviyo_url_invalid"
    HOST_NOT_ALLOWED = "host_not_allowed"  # a crawl's other host; facts: host
    PRIVATE_ADDRESS = "private_address"  # a crawl's host resolves to a non-public address

    # Remote repositories left unread, each with its way on (notes of a sweep).
    CREDENTIALS_IN_URL = "credentials_in_url"  # refused: the token goes in a variable
    FORGE_LOGIN_MISSING = "forge_login_missing"  # facts: variables (where tokens are read)
    FORGE_LOGIN_REFUSED = "forge_login_refused"  # facts: variable (the refused token's)
    FORGE_ACCESS_DENIED = "forge_access_denied"  # facts: variables
    FORGE_PRIVATE_UNSEEN = "forge_private_unseen"  # not found, and no token; facts: variables
    RATE_LIMITED = "rate_limited"  # a forge's budget is spent for longer than the wait allowed
    API_UNREACHABLE = "api_unreachable"  # facts: variable (where the API's address comes from)

    # Left unread because a limit stopped it (notes of a scan).
    ARCHIVE_TOO_DEEP = "archive_too_deep"
    MEMBER_TOO_LARGE = "member_too_large"
    ARCHIVE_BUDGET_SPENT = "archive_budget_spent"
    CRAWL_OUT_OF_TIME = "crawl_out_of_time"
    CRAWL_BUDGET_SPENT = "crawl_budget_spent"

    # Rotation steps that failed, each with its way on.
    KLAVIYO_NO_ANSWER = "klaviyo_no_answer"  # nothing was changed: retry
    INTEGRATION_FAILED = "integration_failed"  # fix the consumer, then go on
    VAULT_UNREACHABLE = "vault_unreachable"
    VAULT_REFUSED = "vault_refused"  # the token expired or lacks a capability
    VAULT_FAILING = "vault_failing"  # Vault answered with a server error
    NOT_LOGGED_IN = "not_logged_in"  # no Vault token was given
    NOT_ON_KV = "not_on_kv"  # the path is not on a KV secrets engine
    PATH_IS_A_MOUNT = "path_is_a_mount"  # the path names a mount, not a secret in it
    NO_KEY_IN_FIELD = "no_key_in_field"  # the current version holds no key in the field
    FIELD_GONE = "field_gone"  # a version the journal names lost its field
    NOTHING_TO_RESUME = "nothing_to_resume"
    OLD_KEY_NOT_DISABLED = "old_key_not_disabled"  # a human must disable it in Klaviyo
    ROLLBACK_TOO_LATE = "rollback_too_late"  # the old key is dead: finish instead
    CAS_FAILED = "cas_failed"  # a conflict: Vault's check-and-set refused the write


class KeyguardError(Exception):
    """Base of every error keyguard raises on purpose.

    A subclass names its usual ``kind``; a raise site may give a more precise one, and the
    facts its next step needs (names, never a key or a token).
    """

    kind: ErrorKind = ErrorKind.USAGE

    def __init__(self, message: str, /, *, kind: ErrorKind | None = None, **facts: str) -> None:
        super().__init__(message)
        if kind is not None:
            self.kind = kind
        self.facts: dict[str, str] = facts


class UsageError(KeyguardError):
    """The user asked for something that cannot work as asked."""

    kind = ErrorKind.USAGE
