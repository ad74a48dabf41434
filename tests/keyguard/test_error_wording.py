"""Every kind of error has a wording; each says what the core said, then the next step in
flags and commands keyguard really has, as the messages said before the core stopped
naming them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from keyguard import error_wording
from keyguard.error_wording import LIMIT_FLAG, WORDING, Worded
from plugins.client.api import KlaviyoClient
from plugins.errors import ErrorKind, KeyguardError, UsageError
from rotator.vault_env import Connection, Login, connect
from scanner.findings import ScanIssue
from scanner.report import model
from scanner.shard import Shard
from scanner.stores import baseline
from scanner.sweep import SweepOptions
from tests.support.keyguard_cli import cli_words

#: The facts each kind's wording needs (the raise sites give them).
FACTS = {
    ErrorKind.VAULT_LOGIN_INCOMPLETE: {"method": "approle", "missing": "role_id"},
    ErrorKind.VAULT_AUTH_UNKNOWN: {"method": "ldap", "choices": "token, approle, userpass"},
    ErrorKind.BAD_SHARD: {"text": "4/4", "problem": "I must be in 0..N-1"},
    ErrorKind.HOST_NOT_ALLOWED: {"host": "cdn.example"},
    ErrorKind.FORGE_LOGIN_MISSING: {"variables": "GITHUB_TOKEN or GH_TOKEN"},
    ErrorKind.FORGE_LOGIN_REFUSED: {"variable": "GITHUB_TOKEN"},
    ErrorKind.FORGE_ACCESS_DENIED: {"variables": "GITLAB_TOKEN"},
    ErrorKind.FORGE_PRIVATE_UNSEEN: {"variables": "GITLAB_TOKEN"},
    ErrorKind.API_UNREACHABLE: {"variable": "GITHUB_API_URL"},
}


def _worded(kind: ErrorKind) -> str:
    return error_wording.message(KeyguardError("what happened", kind=kind, **FACTS.get(kind, {})))


def test_every_kind_has_a_wording() -> None:
    assert set(WORDING) == set(ErrorKind)


@pytest.mark.parametrize("kind", list(ErrorKind), ids=lambda k: k.value)
def test_each_wording_is_one_line_naming_only_real_flags_and_commands(kind: ErrorKind) -> None:
    commands, flags = cli_words()
    text = _worded(kind)
    assert "\n" not in text
    assert set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", text)) <= flags | {"--update"}
    for command in re.findall(r"`keyguard ([a-z -]+?)(?: --|`)", text):
        assert command.strip() in commands, text


def test_the_one_foreign_flag_is_detect_secrets_own() -> None:
    # --update is not keyguard's: the hint for an old baseline runs detect-secrets.
    assert _worded(ErrorKind.BASELINE_TOO_OLD).endswith('; run "detect-secrets scan --update"')


def test_a_kind_without_a_next_step_says_what_happened() -> None:
    for kind in (ErrorKind.USAGE, ErrorKind.UNREADABLE, ErrorKind.STEP_FAILED):
        assert _worded(kind) == "what happened"


def test_each_limit_names_the_option_that_raises_it() -> None:
    _, flags = cli_words()
    assert set(LIMIT_FLAG.values()) <= flags
    issue = ScanIssue(
        "x.zip", "x.zip!/a decompresses past 9 bytes; not scanned", ErrorKind.MEMBER_TOO_LARGE
    )
    assert error_wording.note(issue) == (
        "x.zip!/a decompresses past 9 bytes; not scanned (--max-member-bytes raises the limit)"
    )


def test_notes_as_a_report_holds_them_are_worded_once() -> None:
    host = ScanIssue.of(
        "https://s/",
        "not fetched: host 'cdn' is not the site's origin",
        UsageError("x", kind=ErrorKind.HOST_NOT_ALLOWED, host="cdn"),
    )
    plain = ScanIssue("a.gz", "truncated gzip stream; scanned the 3 bytes recovered")
    worded = error_wording.notes((host, plain))
    assert [i.message for i in worded] == [
        "not fetched: host 'cdn' is not the site's origin; add --allow-host cdn to fetch it",
        plain.message,
    ]
    assert error_wording.notes(worded) == worded
    assert [error_wording.note(i) for i in worded] == [i.message for i in worded]


def test_an_error_worded_for_this_run_is_not_worded_again() -> None:
    error = Worded("locked; wait for it, or pass --break-lock if it is gone", kind=ErrorKind.LOCKED)
    assert error_wording.message(error) == str(error)
    assert error.kind is ErrorKind.LOCKED


def test_a_missing_fact_still_says_what_happened() -> None:
    error = UsageError("host 'cdn' is not the site's origin", kind=ErrorKind.HOST_NOT_ALLOWED)
    assert error_wording.message(error) == "host 'cdn' is not the site's origin"


# --- the messages the core's raise sites make, worded as they read before ---------------


def _message(error: pytest.ExceptionInfo[KeyguardError]) -> str:
    return error_wording.message(error.value)


def test_vault_login_options() -> None:
    conn = Connection("http://127.0.0.1:9", None, True, None)
    with pytest.raises(KeyguardError) as no_role:
        connect(conn, Login("approle"), secret=lambda what: "")
    assert _message(no_role) == "--vault-auth approle needs --vault-role-id"
    with pytest.raises(KeyguardError) as no_user:
        connect(conn, Login("userpass"), secret=lambda what: "")
    assert _message(no_user) == "--vault-auth userpass needs --vault-username"
    with pytest.raises(KeyguardError) as unknown:
        connect(conn, Login("ldap"), secret=lambda what: "")
    assert _message(unknown) == "--vault-auth must be one of token, approle, userpass"
    with pytest.raises(KeyguardError) as no_token:
        connect(conn, Login("token"), secret=lambda what: "")
    assert _message(no_token) == (
        "no Vault token: set VAULT_TOKEN, run `bao login`, or pass --vault-auth"
    )


def test_sweep_options() -> None:
    with pytest.raises(KeyguardError) as shard:
        Shard.parse("4/4")
    assert _message(shard) == "--shard '4/4': I must be in 0..N-1"
    with pytest.raises(KeyguardError) as shape:
        Shard.parse("a/b")
    assert _message(shape) == "--shard 'a/b': expected I/N, such as 0/4"
    with pytest.raises(KeyguardError) as narrowed:
        SweepOptions(unreachable=True, since="main")
    assert _message(narrowed) == (
        "--unreachable reads every object: it cannot be combined with --since or --ref"
    )


def test_klaviyo_url() -> None:
    with pytest.raises(KeyguardError) as caught:
        KlaviyoClient("ftp://klaviyo.example")
    assert _message(caught) == (
        "Klaviyo URL 'ftp://klaviyo.example' is not http(s); "
        "fix --klaviyo-url or KEYGUARD_KLAVIYO_URL"
    )


def test_reports_that_are_not_reports(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text("not json")
    with pytest.raises(KeyguardError) as not_json:
        model.load(path)
    assert _message(not_json) == f"{path} is not JSON: give a report written with --format json"
    path.write_text("{}")
    with pytest.raises(KeyguardError) as no_findings:
        model.load(path)
    assert _message(no_findings) == (
        f"{path} is not a keyguard JSON report (no findings list): "
        "give a report written with --format json"
    )


def test_baselines(tmp_path: Path) -> None:
    path = tmp_path / ".secrets.baseline"
    path.write_text("{not json")
    with pytest.raises(KeyguardError) as broken:
        baseline.load(path)
    assert _message(broken).endswith("; fix it or write a new one with --update-baseline")
    path.write_text('{"results": {}, "version": "0.14.3"}')
    with pytest.raises(KeyguardError) as old:
        baseline.load(path)
    assert _message(old) == (
        f"{path} is not a detect-secrets baseline (version '0.14.3' predates detect-secrets "
        '1.0); run "detect-secrets scan --update"'
    )
