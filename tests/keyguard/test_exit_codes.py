"""One exit-code table: every error kind and every wait of a rotation has a code, a code
never means two things, and the help texts and docs say what the table says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from keyguard import exit_codes
from keyguard.error_handler import exit_code_for
from keyguard.main import EXIT_CODES_HELP
from keyguard.rotate.options import EXIT_HELP
from plugins.errors import ErrorKind, KeyguardError, UsageError
from rotator import errors as rotation_errors
from rotator.operator import Waiting
from scanner.git.command import GitError

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_every_kind_and_every_wait_has_a_code() -> None:
    assert set(exit_codes.FOR_KIND) == {k.value for k in ErrorKind}
    assert set(exit_codes.FOR_WAITING) == {w.value for w in Waiting}
    assert set(exit_codes.FOR_KIND.values()) | set(exit_codes.FOR_WAITING.values()) <= set(
        exit_codes.MEANING
    )


def test_no_code_has_two_names() -> None:
    names = {n: v for n, v in vars(exit_codes).items() if n.startswith("EXIT_")}
    assert len(set(names.values())) == len(names)
    assert set(names.values()) == set(exit_codes.MEANING)


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (UsageError("x"), 2),
        (KeyguardError("x"), 2),
        (GitError("x"), 3),
        (rotation_errors.VaultUnavailable("x"), 4),
        (rotation_errors.MalformedNewKey("x"), 2),
        (rotation_errors.ConflictError("x"), 5),
        (rotation_errors.LockedError("x"), 6),
    ],
)
def test_errors_map_to_their_codes_in_one_place(error: KeyguardError, code: int) -> None:
    assert exit_code_for(error) == code


def test_no_core_error_declares_an_exit_code() -> None:
    for package in ("plugins", "scanner", "rotator"):
        for path in (REPO_ROOT / package).rglob("*.py"):
            assert not re.search(r"^\s+exit_code\s*=", path.read_text(), re.M), path


@pytest.mark.parametrize("text", [EXIT_CODES_HELP, EXIT_HELP])
def test_help_texts_name_only_codes_of_the_table(text: str) -> None:
    named = {int(n) for n in re.findall(r"(?<![\w-])(\d+) ", text)}
    assert named
    assert named <= set(exit_codes.MEANING)


def test_the_docs_page_is_the_table() -> None:
    page = (REPO_ROOT / "docs" / "exit-codes.md").read_text(encoding="utf-8")
    assert page == exit_codes.table_markdown()
