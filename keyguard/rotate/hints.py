"""Hints that run as printed: ``keyguard rotate …`` with the options that named the secret.

An error's wording (``keyguard/error_wording.py``) says "run `keyguard rotate resume`"
without knowing how the secret was named (``--vault-path``, ``--target``, another
``--config``); pasted bare, such a hint fails with "name the secret". Every hint that
reaches the user passes through :func:`command` or :func:`runnable_hints`, which add the
naming options this invocation used.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Iterator
from contextlib import contextmanager

from keyguard import error_wording
from keyguard.error_wording import Worded
from keyguard.rotate.options import RotateOptions
from plugins.client.defaults import DEFAULT_BASE_URL, ENV_URL
from plugins.errors import KeyguardError

_SUBCOMMANDS = ("resume", "status", "rollback", "abort")
_HINT = re.compile(r"`keyguard rotate(?: (" + "|".join(_SUBCOMMANDS) + r"))?( [^`]*)?`")


def naming_args(o: RotateOptions) -> list[str]:
    """The options that say which secret, in which Vault, with which audit log; in argv
    order."""
    named = (
        ("--config", o.secret.config),
        ("--target", o.secret.target_name),
        ("--vault-path", o.secret.vault_path),
        ("--field", o.secret.field),
        ("--audit-log", o.audit_log),
        ("--vault-role-id", o.login.role_id),
        ("--vault-username", o.login.username),
        ("--vault-auth-mount", o.login.mount),
    )
    args: list[str] = []
    for flag, value in named:
        if value:
            args += [flag, str(value)]
    if o.login.method != "token":
        args += ["--vault-auth", o.login.method]
    url = o.klaviyo_url
    if url and url not in (DEFAULT_BASE_URL, os.environ.get(ENV_URL)):
        args += ["--klaviyo-url", url]
    return args


def command(o: RotateOptions, subcommand: str | None = "resume", *extra: str) -> str:
    words = ["keyguard", "rotate", *([subcommand] if subcommand else []), *naming_args(o)]
    return shlex.join([*words, *extra])


def rewrite(message: str, o: RotateOptions, *, starting: bool) -> str:
    """*message* with each `keyguard rotate …` hint completed with this run's options.

    From a run that may not have started a rotation yet (*starting*), "resume" becomes
    plain ``keyguard rotate``, which continues a rotation in progress or starts one, so
    the hint holds whether or not one was journalled before the failure.
    """

    def complete(match: re.Match[str]) -> str:
        sub, rest = match.group(1), (match.group(2) or "").split()
        if sub == "resume" and starting:
            sub = None
        return f"`{command(o, sub, *rest)}`"

    return _HINT.sub(complete, message)


@contextmanager
def runnable_hints(o: RotateOptions, *, starting: bool = False) -> Iterator[None]:
    try:
        yield
    except KeyguardError as exc:
        text = rewrite(error_wording.message(exc), o, starting=starting)
        raise Worded(text, kind=exc.kind) from exc
