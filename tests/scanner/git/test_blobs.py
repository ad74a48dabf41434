from __future__ import annotations

from pathlib import Path

from scanner.git.blobs import BlobReader
from tests.support.git import commit_file, git, init_repo


def test_reads_named_blobs_and_answers_none_for_what_is_not_there(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "r")
    commit_file(repo, "a.txt", "alpha\n")
    commit_file(repo, "b.bin", "b" * 100_000)
    a, b = (git(repo, "rev-parse", f"HEAD:{name}").strip() for name in ("a.txt", "b.bin"))
    tree = git(repo, "rev-parse", "HEAD^{tree}").strip()
    with BlobReader(repo) as reader:
        assert reader.read(a) == b"alpha\n"
        assert reader.read("0" * 40) is None  # missing
        assert reader.read(tree) is None  # not a blob
        assert reader.read("not an id") is None
        assert reader.read(b) == b"b" * 100_000
        assert reader.read(a) == b"alpha\n"  # the same process goes on answering


def test_a_directory_that_is_no_repository_or_no_directory_holds_nothing(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    for where in (tmp_path / "plain", tmp_path / "gone"):
        with BlobReader(where) as reader:
            assert reader.read("1" * 40) is None
            assert reader.read("2" * 40) is None
