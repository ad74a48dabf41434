from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from keyguard import error_wording
from plugins.pattern import baseline_hash
from scanner.findings import ScanResult
from scanner.scan import scan_paths, scan_staged
from scanner.sources.staged import NotARepository
from tests.support.git import commit_file, git, init_repo
from tests.support.keys import make_key


def _keys(result: ScanResult) -> set[str]:
    return {f.secret.reveal() for f in result.findings}


def test_groups_one_key_found_in_many_files(tmp_path: Path) -> None:
    key = make_key("shared")
    (tmp_path / "a.py").write_text(f'KEY = "{key}"\n')
    (tmp_path / "b.json").write_text(f'{{"api_key": "{key}"}}\n')
    (tmp_path / "c.env").write_text(f"\n\nKLAVIYO={key}\n")
    result = scan_paths([tmp_path])
    assert len(result.findings) == 1
    finding = result.findings[0]
    assert finding.fingerprint == finding.secret.fingerprint
    places = {(Path(o.path).name, o.line, o.column) for o in finding.occurrences}
    assert places == {("a.py", 1, 8), ("b.json", 1, 14), ("c.env", 3, 9)}


def test_reports_utf16_and_byte_columns_on_non_ascii_lines(tmp_path: Path) -> None:
    key = make_key("unicode")
    (tmp_path / "u.js").write_text(f'const s = "héllo 😀"; const k = "{key}";\n')
    (occ,) = scan_paths([tmp_path]).findings[0].occurrences
    prefix = 'const s = "héllo 😀"; const k = "'
    assert occ.column == len(prefix.encode("utf-16-le")) // 2 + 1
    assert occ.byte_column == len(prefix.encode("utf-8")) + 1


def test_binary_files_are_read_by_content_not_name(tmp_path: Path) -> None:
    key = make_key("binary")
    (tmp_path / "image.txt").write_bytes(b"\x00\x01\x02" + key.encode())
    (tmp_path / "data.bin").write_bytes(key.encode() + b"\n")
    result = scan_paths([tmp_path])
    names = sorted(Path(o.path).name for f in result.findings for o in f.occurrences)
    assert names == ["data.bin", "image.txt"]
    assert result.stats.binary == 1
    assert result.stats.skipped_binary == 0


def test_invalid_utf8_is_scanned(tmp_path: Path) -> None:
    key = make_key("latin1")
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe\xfa caf\xe9 = '" + key.encode() + b"'\n")
    assert _keys(scan_paths([tmp_path])) == {key}


def test_honours_gitignore_inside_a_work_tree(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    ignored, tracked, untracked = make_key("ignored"), make_key("tracked"), make_key("untracked")
    (repo / ".gitignore").write_text("build/\n*.log\n")
    (repo / "build").mkdir()
    (repo / "build" / "out.js").write_text(ignored)
    (repo / "debug.log").write_text(ignored)
    commit_file(repo, "src/app.py", f"k = '{tracked}'\n")
    (repo / "new.py").write_text(f"k = '{untracked}'\n")
    assert _keys(scan_paths([repo])) == {tracked, untracked}


def test_walks_plain_directories_without_following_symlinks_out(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(make_key("outside"))
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    inside = make_key("inside")
    (tree / "sub" / "f.txt").write_text(inside)
    os.symlink(outside / "secret.txt", tree / "link.txt")
    os.symlink(outside, tree / "linkdir")
    assert _keys(scan_paths([tree])) == {inside}


def test_missing_and_broken_paths_are_errors_and_the_rest_is_scanned(tmp_path: Path) -> None:
    key = make_key("present")
    (tmp_path / "ok.txt").write_text(key)
    os.symlink(tmp_path / "nowhere", tmp_path / "dangling")
    result = scan_paths([tmp_path / "missing.txt", tmp_path / "dangling", tmp_path / "ok.txt"])
    assert _keys(result) == {key}
    messages = {Path(e.path).name: e.message for e in result.errors}
    assert messages == {
        "missing.txt": "no such file or directory",
        "dangling": "not a regular file or directory",
    }


def test_allowlist_pragmas_silence_one_occurrence(tmp_path: Path) -> None:
    a, b, c = make_key("a"), make_key("b"), make_key("c")
    (tmp_path / "f.py").write_text(
        f"x = '{a}'  # pragma: allowlist secret\n"
        "# pragma: allowlist nextline secret\n"
        f"y = '{b}'\n"
        f"z = '{c}'\n"
    )
    result = scan_paths([tmp_path])
    assert _keys(result) == {c}
    assert result.suppressed == 2


def test_baseline_hashes_hide_a_key_wherever_it_moves(tmp_path: Path) -> None:
    known, new = make_key("known"), make_key("new")
    (tmp_path / "f.py").write_text(f"\n\n\nx = '{known}'\ny = '{new}'\n")
    result = scan_paths([tmp_path], ignored_hashes=frozenset({baseline_hash(known)}))
    assert _keys(result) == {new}


def test_a_fifty_megabyte_single_line_is_streamed(tmp_path: Path) -> None:
    key = make_key("huge")
    filler = b"a=1;" * (50 * 1024 * 1024 // 4)
    (tmp_path / "bundle.min.js").write_bytes(filler + b'k="' + key.encode() + b'";' + filler)
    (occ,) = scan_paths([tmp_path]).findings[0].occurrences
    assert (occ.line, occ.byte_column) == (1, len(filler) + 4)
    assert occ.column == occ.byte_column


def test_staged_scans_the_index_not_the_work_tree(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    staged_key, worktree_key = make_key("staged"), make_key("worktree")
    commit_file(repo, "README", "hello\n")
    (repo / "config.py").write_text(f"KEY = '{staged_key}'\n")
    git(repo, "add", "config.py")
    (repo / "config.py").write_text(f"KEY = '{worktree_key}'\n")
    (repo / "untracked.py").write_text(f"KEY = '{worktree_key}'\n")
    result = scan_staged(repo)
    assert _keys(result) == {staged_key}
    assert result.findings[0].occurrences[0].path == "config.py"


def test_staged_works_before_the_first_commit(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    key = make_key("initial")
    (repo / "a.txt").write_text(key)
    git(repo, "add", "a.txt")
    assert _keys(scan_staged(repo)) == {key}


def test_staged_outside_a_repository_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(NotARepository, match=r"not a git work tree$") as caught:
        scan_staged(tmp_path)
    worded = error_wording.message(caught.value)
    assert re.search(r"not a git work tree; --staged needs a repository$", worded)


def test_a_named_directory_that_git_ignores_is_scanned(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    key = make_key("dist")
    (repo / ".gitignore").write_text("dist/\n")
    (repo / "dist").mkdir()
    (repo / "dist" / "bundle.js").write_text(f'var k="{key}";')
    assert _keys(scan_paths([repo])) == set()
    assert _keys(scan_paths([repo / "dist"])) == {key}


def test_staged_is_limited_to_the_path_named(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    inside, outside = make_key("staged-inside"), make_key("staged-outside")
    (repo / "sub").mkdir()
    (repo / "sub" / "a.py").write_text(f"k = '{inside}'\n")
    (repo / "b.py").write_text(f"k = '{outside}'\n")
    git(repo, "add", "sub/a.py", "b.py")
    sub = scan_staged(repo / "sub")
    assert _keys(sub) == {inside}
    assert sub.findings[0].occurrences[0].path == "sub/a.py"
    assert _keys(scan_staged(repo / "b.py")) == {outside}
    assert _keys(scan_staged(repo)) == {inside, outside}
