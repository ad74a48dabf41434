"""The core never names the command line: no string in plugins/, scanner/ or rotator/
holds a flag (``--break-lock``) or a command (``keyguard rotate``).

The core says what happened and what kind of failure it is; ``keyguard/error_wording.py``
words the next step in the command line's words. Docstrings may name flags (they say
why, for the reader of the code), and so may comments; a string that is exactly one
``--option`` or ``--option=value`` is an argument for git, not a word of ours.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from keyguard.main import COMMANDS

REPO_ROOT = Path(__file__).resolve().parents[1]
CORE = ("plugins", "scanner", "rotator")

_FLAG = r"(?<![\w-])--[a-z][a-z0-9-]*"
_COMMAND = r"\bkeyguard (?:" + "|".join(map(re.escape, sorted(COMMANDS))) + r")\b"
CLI_WORDS = re.compile(f"{_FLAG}|{_COMMAND}")
ARGV = re.compile(r"--[a-z][a-z0-9-]*(?:=.*)?", re.DOTALL)


def _docstrings(tree: ast.Module) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def cli_words_in(source: str) -> list[tuple[int, str]]:
    """(line, string) of each string constant in *source* that names the command line.
    An f-string is judged whole, its replacement fields read as ``{}``."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            skip.update(id(part) for part in node.values)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(
                p.value if isinstance(p, ast.Constant) and isinstance(p.value, str) else "{}"
                for p in node.values
            )
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) in skip:
                continue
            text = node.value
        else:
            continue
        if not ARGV.fullmatch(text) and CLI_WORDS.search(text):
            found.append((node.lineno, text))
    return found


def _core_modules() -> list[Path]:
    return sorted(p for package in CORE for p in (REPO_ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("path", _core_modules(), ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_no_core_string_names_a_flag_or_a_command(path: Path) -> None:
    assert cli_words_in(path.read_text(encoding="utf-8")) == []


def test_the_check_finds_what_it_is_for() -> None:
    source = '''
"""Module docstring: ``--verify`` explained for the reader."""
GIT_ARGS = ("--all", "--format=%(objectname) %(objecttype)", "--not")
def f(name):
    """Docstring naming `keyguard rotate resume`."""
    a = "a message; pass --break-lock if it is gone"
    b = f"--shard {name!r}: expected I/N"
    c = "rotate it with `keyguard rotate`"
    d = f"--find-object={name}"
    e = "another keyguard process holds it"
'''
    assert [line for line, _ in cli_words_in(source)] == [6, 7, 8]
