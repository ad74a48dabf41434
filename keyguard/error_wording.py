"""What keyguard says about an error: the core's message, and the next step in the command
line's words (the flag to pass, the command to run).

The core says what happened and names the kind of failure (``plugins.errors.ErrorKind``)
with the facts a next step needs; it never names a flag or a command. Each kind has its
wording here, in one table. A scan's notes (``ScanIssue``) carry a kind the same way, for
the limits and the crawl policy that left something unread. The ``keyguard rotate …``
commands worded here are bare: ``keyguard/rotate/hints.py`` completes them with the
options that named the secret, so each runs as printed.

Kept light: the pre-commit hook imports it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from plugins.client.defaults import ENV_URL
from plugins.errors import ErrorKind, KeyguardError

if TYPE_CHECKING:
    from scanner.findings import ScanIssue

K = ErrorKind

#: (what happened, its facts) -> the line the user reads.
Wording = Callable[[str, Mapping[str, str]], str]

RESUME = "`keyguard rotate resume`"

#: The option that raises each limit a note can name.
LIMIT_FLAG = {
    K.ARCHIVE_TOO_DEEP: "--max-depth",
    K.MEMBER_TOO_LARGE: "--max-member-bytes",
    K.ARCHIVE_BUDGET_SPENT: "--max-archive-bytes",
    K.CRAWL_OUT_OF_TIME: "--max-seconds",
    K.CRAWL_BUDGET_SPENT: "--max-bytes",
}
#: What a Vault login method needs, as the option that gives it.
_LOGIN_FLAG = {"role_id": "--vault-role-id", "username": "--vault-username"}


def _as_is(message: str, facts: Mapping[str, str]) -> str:
    return message


def _then(step: str, sep: str = "; ") -> Wording:
    """The message, then *step* (``{name}`` fields are filled from the facts)."""
    return lambda message, facts: f"{message}{sep}{step.format_map(facts)}"


def _limit(kind: ErrorKind) -> Wording:
    return lambda message, facts: f"{message} ({LIMIT_FLAG[kind]} raises the limit)"


WORDING: dict[ErrorKind, Wording] = {
    K.USAGE: _as_is,
    K.UNREADABLE: _as_is,
    K.STEP_FAILED: _as_is,
    K.CONFLICT: _as_is,
    K.LOCKED: _then("wait for it, or pass --break-lock if it is gone"),
    K.VAULT_LOGIN_INCOMPLETE: lambda message, facts: (
        f"--vault-auth {facts['method']} needs {_LOGIN_FLAG[facts['missing']]}"
    ),
    K.VAULT_AUTH_UNKNOWN: lambda message, facts: f"--vault-auth must be one of {facts['choices']}",
    K.UNREACHABLE_NARROWED: lambda message, facts: (
        "--unreachable reads every object: it cannot be combined with --since or --ref"
    ),
    K.BAD_SHARD: lambda message, facts: f"--shard {facts['text']!r}: {facts['problem']}",
    K.STAGED_WITHOUT_GIT: _then("install git to use --staged"),
    K.STAGED_OUTSIDE_WORK_TREE: _then("--staged needs a repository"),
    K.BASELINE_NOT_JSON: _then("fix it or write a new one with --update-baseline"),
    K.BASELINE_TOO_OLD: _then('run "detect-secrets scan --update"'),
    K.NOT_A_REPORT: _then("give a report written with --format json", ": "),
    K.KLAVIYO_URL_INVALID: _then(f"fix --klaviyo-url or {ENV_URL}"),
    K.HOST_NOT_ALLOWED: _then("add --allow-host {host} to fetch it"),
    K.PRIVATE_ADDRESS: _then("pass --allow-private to scan it"),
    K.CREDENTIALS_IN_URL: _then("drop them and put the token in GITHUB_TOKEN or GITLAB_TOKEN"),
    K.FORGE_LOGIN_MISSING: _then("put a token in {variables}"),
    K.FORGE_LOGIN_REFUSED: _then("the token in {variable} is bad or expired"),
    K.FORGE_ACCESS_DENIED: _then("the token in {variables} may not read it"),
    K.FORGE_PRIVATE_UNSEEN: _then("without a token in {variables} only public ones are seen"),
    K.RATE_LIMITED: _then("run again after the reset, or allow a longer --api-wait-max"),
    K.API_UNREACHABLE: _then("check {variable}"),
    **{kind: _limit(kind) for kind in LIMIT_FLAG},
    K.KLAVIYO_NO_ANSWER: _then(f"run {RESUME} to retry", ", "),
    K.INTEGRATION_FAILED: _then(f"fix it and run {RESUME}"),
    K.VAULT_UNREACHABLE: _then(f"check VAULT_ADDR and the server, then run {RESUME}"),
    K.VAULT_REFUSED: _then(f"log in again or fix the policy, then run {RESUME}"),
    K.VAULT_FAILING: _then(f"run {RESUME} when it is healthy"),
    K.NOT_LOGGED_IN: _then("set VAULT_TOKEN, run `bao login`, or pass --vault-auth", ": "),
    K.NOT_ON_KV: _then("give --vault-path MOUNT/PATH"),
    K.PATH_IS_A_MOUNT: _then("give --vault-path MOUNT/PATH"),
    K.NO_KEY_IN_FIELD: _then("pass --field or store the current key there first"),
    K.FIELD_GONE: _then("see `keyguard rotate status`"),
    K.NOTHING_TO_RESUME: _then("start one with `keyguard rotate`"),
    K.OLD_KEY_NOT_DISABLED: _then(
        "disable the old key in Klaviyo, then run `keyguard rotate resume --confirm-revoked`"
    ),
    K.ROLLBACK_TOO_LATE: _then(f"finish this rotation ({RESUME}) instead"),
    K.CAS_FAILED: _then("see `keyguard rotate status`", ", "),
}


class Worded(KeyguardError):
    """An error already worded for this run (its hints completed); keeps the original's kind."""


def message(error: KeyguardError) -> str:
    """The one line the user reads for *error*."""
    if isinstance(error, Worded):
        return str(error)
    return _worded(error.kind, str(error), error.facts)


def _worded(kind: ErrorKind, message: str, facts: Mapping[str, str]) -> str:
    try:
        return WORDING[kind](message, facts)
    except KeyError:
        # A fact the wording needs is missing: what happened is still worth saying, and
        # an error must never turn into a traceback on its way to the user.
        return message


def note(issue: ScanIssue) -> str:
    """The message of a scan's note, with its next step when its kind has one."""
    if issue.kind is None:
        return issue.message
    return _worded(issue.kind, issue.message, dict(issue.facts))


def notes(issues: tuple[ScanIssue, ...]) -> tuple[ScanIssue, ...]:
    """*issues* as a report holds them: each message worded, nothing left to add."""
    return tuple(
        dataclasses.replace(i, message=note(i), kind=None, facts=()) if i.kind else i
        for i in issues
    )
