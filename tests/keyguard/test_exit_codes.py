"""One exit-code table: every error kind and every wait of a rotation has a code, a code
never means two things, and the help texts and docs say what the table says."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import click
import pytest

from keyguard import exit_codes
from keyguard.error_handler import EXIT_CODE, exit_code_for
from keyguard.exit_codes import MEANING, REPORT_CODES, epilog, table_markdown
from keyguard.main import EXIT_CODES_HELP, cli
from keyguard.rotate.drive import EXIT_WAITING
from keyguard.rotate.options import EXIT_HELP
from plugins.errors import ErrorKind, KeyguardError, UsageError
from rotator import errors as rotation_errors
from rotator.operator import Waiting
from scanner.git.command import GitError

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCS = sorted([REPO_ROOT / "README.md", *(REPO_ROOT / "docs").glob("*.md")])


def test_every_kind_and_every_wait_has_a_code() -> None:
    assert set(EXIT_CODE) == set(ErrorKind)
    assert set(EXIT_WAITING) == set(Waiting)
    assert set(EXIT_CODE.values()) | set(EXIT_WAITING.values()) <= set(MEANING)


def test_no_code_has_two_names() -> None:
    names = {n: v for n, v in vars(exit_codes).items() if n.startswith("EXIT_")}
    assert len(set(names.values())) == len(names)
    assert set(names.values()) == set(MEANING)
    assert all(MEANING.values())


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


def test_the_module_imports_nothing() -> None:
    # The pre-commit hook imports it on every commit.
    tree = ast.parse(Path(exit_codes.__file__).read_text(encoding="utf-8"))
    imports = [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]
    assert [(i.module if isinstance(i, ast.ImportFrom) else None) for i in imports] == [
        "__future__"
    ]


@pytest.mark.parametrize("text", [EXIT_CODES_HELP, EXIT_HELP])
def test_help_texts_name_only_codes_of_the_table(text: str) -> None:
    named = {int(n) for n in re.findall(r"(?<![\w-])(\d+) ", text)}
    assert named
    assert named <= set(MEANING)


def test_a_help_text_cannot_name_a_code_outside_the_table() -> None:
    assert epilog({0: "clean", 1: "keys found"}) == "Exit codes: 0 clean, 1 keys found."
    with pytest.raises(ValueError, match="7"):
        epilog({7: "something new"})


def test_the_docs_page_is_the_table() -> None:
    page = (REPO_ROOT / "docs" / "exit-codes.md").read_text(encoding="utf-8")
    assert page == table_markdown()


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_every_exit_code_a_page_names_is_in_the_table(path: Path) -> None:
    text = " ".join(path.read_text(encoding="utf-8").split())
    named = {
        int(code)
        for group in re.findall(r"\bexit(?:s| codes?)? \(?`?(\d+(?:/\d+)*)", text)
        for code in group.split("/")
    }
    for sentence in re.findall(r"Exit codes[^.]*?:(.*?)\.(?:\s|$)", text):
        named |= {int(c) for c in re.findall(r"`(\d+)`", sentence)}
    assert named <= set(MEANING)


def _codes_listed(text: str) -> list[int]:
    return [int(c) for c in re.findall(r"`(\d+)`", text)]


def test_the_readme_lists_the_codes_of_scan_and_sweep() -> None:
    text = " ".join((REPO_ROOT / "README.md").read_text(encoding="utf-8").split())
    (listed,) = re.findall(r"Exit codes: (.*?) Every code", text)
    assert _codes_listed(listed) == list(REPORT_CODES)


def test_the_verification_page_lists_the_codes_of_verify() -> None:
    text = (REPO_ROOT / "docs" / "verification.md").read_text(encoding="utf-8")
    section = text.split("## Exit codes of `keyguard verify`", 1)[1].split("##", 1)[0]
    verify = cli.get_command(click.Context(cli), "verify")
    assert verify is not None
    assert verify.epilog is not None
    in_help = [int(c) for c in re.findall(r"(?:: |, )(\d+) ", verify.epilog)]
    assert _codes_listed(section) == in_help


def test_a_report_is_1_when_keys_were_found_whatever_else_failed() -> None:
    assert exit_codes.for_report(findings=True, errors=True) == 1
    assert exit_codes.for_report(findings=False, errors=True) == 3
    assert exit_codes.for_report(findings=False, errors=False) == 0
