"""``keyguard sweep`` and ``keyguard merge`` driven as users drive them."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from plugins.pattern import fingerprint
from scanner.shard import Shard
from tests.support.archives import cut_tgz, encrypted_flag, zip_of
from tests.support.git import commit_file, git, git_env, init_repo
from tests.support.history import build_corners, tree_digest
from tests.support.in_process import run_keyguard_in_process
from tests.support.keyguard_cli import run_keyguard
from tests.support.keys import make_key
from tests.support.report_schema import check_lines, check_report, check_sarif

CHECKOUT = Path(__file__).resolve().parents[2]


def keyguard(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return run_keyguard_in_process(
        args, cwd=cwd, env={**git_env(), "PYTHONPATH": str(CHECKOUT), **env}
    )


def test_sweep_reports_history_keys_redacted_with_exit_one(tmp_path: Path) -> None:
    corners = build_corners(tmp_path / "shop")
    proc = keyguard("sweep", "--format", "json", cwd=corners.repo)
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert {f["fingerprint"] for f in report["findings"]} == {
        fingerprint(k) for k in corners.keys.values()
    }
    assert proc.stderr == ""  # no progress display when not on a terminal
    for key in corners.keys.values():
        assert key not in proc.stdout
    console = keyguard("sweep", ".", cwd=corners.repo)
    assert console.returncode == 1
    assert "pk_…" + corners.keys["deleted"][-4:] in console.stdout
    assert "keyguard sweep" in console.stdout  # the summary table
    assert not any(key in console.stdout for key in corners.keys.values())


def test_a_sweep_leaves_the_repository_byte_identical(tmp_path: Path) -> None:
    corners = build_corners(tmp_path / "shop")
    (corners.repo / "untracked.env").write_text(f"K={make_key('untracked-cmd')}\n")
    (corners.repo / "app.js").write_text("modified\n")
    before = tree_digest(corners.repo / ".git")
    for args in (
        ["--format", "json"],
        ["--unreachable"],
        ["--format", "sarif"],
        ["--since", "HEAD~1"],
        ["--cache", str(tmp_path / "cache")],
    ):
        proc = keyguard("sweep", *args, cwd=corners.repo)
        assert proc.returncode == 1, (args, proc.stderr)
    assert tree_digest(corners.repo / ".git") == before


def test_unreadable_targets_give_one_line_each_and_exit_three(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "r")
    commit_file(repo, "a.txt", "clean\n")
    proc = keyguard("sweep", str(repo), str(tmp_path / "gone"), cwd=tmp_path)
    assert proc.returncode == 3, proc.stderr
    assert "no such file or directory" in proc.stdout
    clean = keyguard("sweep", str(repo), cwd=tmp_path)
    assert clean.returncode == 0, clean.stdout


def test_a_bogus_since_or_ref_is_a_one_line_usage_error(tmp_path: Path) -> None:
    repos = [str(init_repo(tmp_path / name)) for name in ("r1", "r2")]
    for repo in repos:
        commit_file(Path(repo), "a.txt", "clean\n")
    for args in (["--since", "no-such-rev"], ["--ref", "nope"], ["--ref", "--all"]):
        for jobs in ("1", "2"):
            proc = keyguard("sweep", *args, "-j", jobs, *repos, cwd=tmp_path)
            assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
            assert proc.stdout == ""
            assert proc.stderr.count("\n") == 1, proc.stderr
            assert proc.stderr.count(str(tmp_path)) == 1
            assert repr(args[1]) in proc.stderr


def test_shards_then_merge_equal_one_sweep(tmp_path: Path) -> None:
    targets = []
    for i in range(4):
        repo = init_repo(tmp_path / f"repo{i}")
        commit_file(repo, "k.env", f"K={make_key(f'cmd-fleet-{i % 2}')}\n")
        targets.append(str(repo))
    listing = tmp_path / "targets.txt"
    listing.write_text("# fleet\n" + "\n".join(targets) + "\n")
    whole = keyguard(
        "sweep", "--targets-from", str(listing), "--format", "json", "-j", "2", cwd=tmp_path
    )
    assert whole.returncode == 1, whole.stderr
    outputs = []
    for i in range(2):
        out = tmp_path / f"shard{i}.json"
        proc = keyguard(
            "sweep",
            "--targets-from",
            str(listing),
            "--shard",
            f"{i}/2",
            "--format",
            "json",
            "--output",
            str(out),
            cwd=tmp_path,
        )
        assert proc.returncode in (0, 1), proc.stderr
        assert proc.stdout == ""
        outputs.append(str(out))
    merged = keyguard("merge", *outputs, cwd=tmp_path)
    assert merged.returncode == 1, merged.stderr
    assert json.loads(merged.stdout)["findings"] == json.loads(whole.stdout)["findings"]
    sarif = keyguard("merge", "--format", "sarif", *outputs, cwd=tmp_path)
    assert len(json.loads(sarif.stdout)["runs"][0]["results"]) == 4
    bad = keyguard("merge", str(listing), cwd=tmp_path)
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1


def _shards(tmp_path: Path, listing: Path, count: int, name: str) -> list[str]:
    outputs = []
    for i in range(count):
        out = tmp_path / f"{name}{i}.json"
        args = ["--targets-from", str(listing), "--shard", f"{i}/{count}", "--format", "json"]
        proc = keyguard("sweep", *args, "-o", str(out), cwd=tmp_path)
        assert proc.returncode in (0, 1), proc.stderr
        outputs.append(str(out))
    return outputs


def test_merge_refuses_a_missing_duplicated_or_foreign_shard(tmp_path: Path) -> None:
    targets: list[str] = []
    # Shards take targets by a hash of their path, which differs at every run: the partial
    # merge below of shards 0 and 2 needs a key, so add repositories until one is there.
    while len(targets) < 4 or not any(
        Shard(0, 3).selects(t) or Shard(2, 3).selects(t) for t in targets
    ):
        i = len(targets)
        repo = init_repo(tmp_path / f"repo{i}")
        commit_file(repo, "k.env", f"K={make_key(f'cmd-set-{i}')}\n")
        targets.append(str(repo))
    listing = tmp_path / "targets.txt"
    listing.write_text("\n".join(targets) + "\n")
    outputs = _shards(tmp_path, listing, 3, "shard")
    record = json.loads(Path(outputs[1]).read_text())["shard"]
    assert (record["index"], record["count"]) == (1, 3)
    assert len(record["targets_sha256"]) == 64
    assert keyguard("merge", *outputs, cwd=tmp_path).returncode == 1

    missing = keyguard("merge", outputs[0], outputs[2], cwd=tmp_path)
    assert missing.returncode == 2
    assert missing.stderr.count("\n") == 1
    assert "shard 1/3 is missing" in missing.stderr
    assert missing.stdout == ""
    twice = keyguard("merge", outputs[0], outputs[1], outputs[1], outputs[2], cwd=tmp_path)
    assert twice.returncode == 2
    assert "shard 1/3 is given twice" in twice.stderr
    grown = tmp_path / "grown.txt"
    grown.write_text(listing.read_text() + str(init_repo(tmp_path / "grown")) + "\n")
    other = _shards(tmp_path, grown, 3, "other")
    foreign = keyguard("merge", outputs[0], other[1], outputs[2], cwd=tmp_path)
    assert foreign.returncode == 2
    assert "of another target list" in foreign.stderr
    assert foreign.stderr.count("\n") == 1

    partial = keyguard("merge", "--allow-partial", outputs[0], outputs[2], cwd=tmp_path)
    assert partial.returncode == 1, partial.stderr
    warnings = json.loads(partial.stdout)["warnings"]
    assert {"path": "merge", "message": "shard 1/3 is missing"} in warnings
    assert "shard 1/3 is missing" in partial.stderr


def test_pre_push_sweeps_exactly_the_pushed_commits(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "r")
    old, new = make_key("push-old"), make_key("push-new")
    pushed_before = commit_file(repo, "a.txt", f"{old}\n")
    commit_file(repo, "b.txt", "clean\n")
    clean_tip = git(repo, "rev-parse", "HEAD").strip()
    commit_file(repo, "c.txt", f"{new}\n")
    tip = git(repo, "rev-parse", "HEAD").strip()

    def push(from_ref: str, to_ref: str) -> subprocess.CompletedProcess[str]:
        return keyguard(
            "sweep",
            "--pre-push",
            "--format",
            "json",
            cwd=repo,
            PRE_COMMIT_FROM_REF=from_ref,
            PRE_COMMIT_TO_REF=to_ref,
        )

    proc = push(pushed_before, tip)
    assert proc.returncode == 1, proc.stderr
    assert [f["fingerprint"] for f in json.loads(proc.stdout)["findings"]] == [fingerprint(new)]
    assert push(pushed_before, clean_tip).returncode == 0
    assert push(pushed_before, "0" * 40).returncode == 0  # deleting a remote branch


def test_help_documents_exit_codes(tmp_path: Path) -> None:
    proc = keyguard("sweep", "--help", cwd=tmp_path)
    assert proc.returncode == 0
    flat = " ".join(proc.stdout.split())
    assert "3 no keys found but something named could not be read" in flat


def test_console_says_which_repository_each_occurrence_is_in(tmp_path: Path) -> None:
    # A clone and its fork hold the same path: without the repository the two lines of
    # the report would be identical, and piped output (80 columns) cut long target names.
    key = make_key("which-repository")
    first = init_repo(tmp_path / "a fairly long directory name" / "storefront-service")
    commit_file(first, "config.env", f"K={key}\n")
    second = tmp_path / "fork"
    git(tmp_path, "clone", "-q", str(first), str(second))
    proc = keyguard("sweep", str(first), str(second), cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    lines = [line for line in proc.stdout.splitlines() if "config.env:1:3" in line]
    assert len(lines) == 2
    assert any(f"[{first}]" in line for line in lines)
    assert any(f"[{second}]" in line for line in lines)
    assert "storefront-service" in "".join(proc.stdout.replace("│", "").split())
    assert "…" not in proc.stdout.replace("pk_…", "")


def test_an_empty_targets_list_is_refused_not_replaced_by_the_cwd(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "here")
    commit_file(repo, "k.env", f"K={make_key('empty-targets-list')}\n")
    (tmp_path / "none.txt").write_text("# no repositories matched\n")
    for source in (["--targets-from", str(tmp_path / "none.txt")], ["--targets-from", "-"]):
        proc = run_keyguard("sweep", *source, cwd=repo, stdin="")
        assert proc.returncode == 2, proc.stdout
        assert "names no targets" in proc.stderr
        assert "k.env" not in proc.stdout


def test_version_works_from_a_checkout(tmp_path: Path) -> None:
    proc = keyguard("--version", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("keyguard, version ")


def test_still_present_says_where_for_directories_too(tmp_path: Path) -> None:
    # A plain directory (or a site) has no HEAD: the summary must not claim one.
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "k.env").write_text(f"K={make_key('still-in-files')}\n")
    repo = init_repo(tmp_path / "repo")
    commit_file(repo, "k.env", f"K={make_key('still-at-head')}\n")
    only_dir = keyguard("sweep", "plain", cwd=tmp_path)
    assert only_dir.returncode == 1, only_dir.stderr
    assert "1 of these keys is still in the files swept:" in only_dir.stdout
    assert "HEAD" not in only_dir.stdout
    both = keyguard("sweep", "plain", "repo", cwd=tmp_path)
    assert "2 of these keys are still at HEAD or in the work tree, in the files swept:" in (
        both.stdout
    )


def test_summary_table_counts_places_as_the_summary_line_does(tmp_path: Path) -> None:
    # One key in three places: the table must not say "3 keys found".
    repo = init_repo(tmp_path / "repo")
    key = make_key("places-not-keys")
    for name in ("a.env", "b.env", "c.env"):
        commit_file(repo, name, f"K={key}\n")
    proc = keyguard("sweep", "repo", cwd=tmp_path)
    assert "1 Klaviyo private key in 3 places" in proc.stdout
    header = next(line for line in proc.stdout.splitlines() if "target" in line)
    assert "places" in header
    assert "keys found" not in proc.stdout


def test_console_marks_keys_still_at_head_and_names_their_refs(tmp_path: Path) -> None:
    corners = build_corners(tmp_path / "shop")
    proc = keyguard("sweep", cwd=corners.repo, COLUMNS="250")
    assert proc.returncode == 1, proc.stderr

    def lines_of(label: str) -> list[str]:
        lines = proc.stdout.splitlines()
        head = next(i for i, s in enumerate(lines) if "pk_…" + corners.keys[label][-4:] in s)
        end = next(i for i in range(head + 1, len(lines)) if not lines[i].startswith("    "))
        return lines[head + 1 : end]

    def line_of(label: str, path: str) -> str:
        (line,) = (s for s in lines_of(label) if path in s)
        return line

    (at_head,) = (s for s in lines_of("head") if "AT HEAD" in s)
    assert "AT HEAD" in at_head
    assert "on feature, main, remotes/origin/old (+2 more)" in at_head
    branch = line_of("branch", "feature.env")
    assert "on feature" in branch
    assert "AT HEAD" not in branch
    assert "on tags/v1.0" in line_of("tag", "release.txt")
    deleted = line_of("deleted", "config/settings.py")
    assert "AT HEAD" not in deleted
    assert "WORK TREE" not in deleted


def test_counts_read_as_english_and_as_the_json_report_has_them(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    commit_file(repo, "k.env", f"K={make_key('counted-once')}\n")
    (repo / "extra.txt").write_text("untracked, clean\n")
    console = keyguard("sweep", "repo", cwd=tmp_path)
    stats = json.loads(keyguard("sweep", "repo", "--format", "json", cwd=tmp_path).stdout)["stats"]
    assert (stats["blobs"], stats["files"]) == (1, 1)
    assert "1 Klaviyo private key in 1 place; scanned 1 blob and 1 file (" in console.stdout
    assert "1 occurrence" in console.stdout
    assert "1 target" not in console.stdout  # one target: no footer at all
    scan = keyguard("scan", "repo/k.env", cwd=tmp_path)
    assert "scanned 1 file (" in scan.stdout


def test_sarif_of_several_repositories_says_which_repository_each_file_is_in(
    tmp_path: Path,
) -> None:
    keys = {}
    for name in ("shop", "blog"):
        keys[name] = make_key(f"sarif-{name}")
        commit_file(init_repo(tmp_path / name), "settings.py", f"K = '{keys[name]}'\n")
    proc = keyguard("sweep", "shop", "blog", "--format", "sarif", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    (run,) = json.loads(proc.stdout)["runs"]
    bases = run["originalUriBaseIds"]
    found = {}
    for result in run["results"]:
        artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert artifact["uri"] == "settings.py"
        root = bases[artifact["uriBaseId"]]["uri"]
        assert root.startswith("file://")
        found[Path(root[len("file://") :]).name] = result["partialFingerprints"]
    assert {name: fp["klaviyoKeySha256/v1"] for name, fp in found.items()} == {
        name: fingerprint(key) for name, key in keys.items()
    }
    one = json.loads(keyguard("sweep", "shop", "--format", "sarif", cwd=tmp_path).stdout)
    assert "originalUriBaseIds" not in one["runs"][0]  # one repository: paths relative to it
    artifact = one["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert artifact["artifactLocation"] == {"uri": "settings.py"}


def test_sweep_exclude_skips_history_and_work_tree_paths(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "shop")
    vendored, own = make_key("exclude-vendored"), make_key("exclude-own")
    commit_file(repo, "vendor/lib/config.js", f"k='{vendored}'\n")
    commit_file(repo, "app/settings.py", f"K = '{own}'\n")
    (repo / "vendor" / "new.js").write_text(f"k='{make_key('exclude-untracked')}'\n")
    proc = keyguard("sweep", "shop", "--exclude", "vendor/", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert [f["fingerprint"] for f in json.loads(proc.stdout)["findings"]] == [fingerprint(own)]


FIXTURE = "node_modules/tar/test/cb-never-called-1.0.1.tgz"


def _vendored(tmp_path: Path, extra: dict[str, bytes] | None = None) -> Path:
    """A repository that committed a damaged test fixture under node_modules (and *extra*)."""
    repo = init_repo(tmp_path / "shop")
    files = {
        FIXTURE: cut_tgz(
            {"package/index.js": b"module.exports = 1;\n", "package/rand": os.urandom(2000)}
        ),
        **(extra or {}),
    }
    for name, data in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_bytes(data)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "vendor")
    return repo


def test_a_damaged_fixture_is_a_warning_in_every_format_and_exits_zero(tmp_path: Path) -> None:
    repo = _vendored(tmp_path)
    proc = keyguard("sweep", "--format", "json", cwd=repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = check_report(proc.stdout)
    assert report["errors"] == []
    [warning] = [w for w in report["warnings"] if w["path"] == FIXTURE]
    assert warning["message"].startswith("truncated gzip stream; scanned the ")
    assert report["targets"][0]["errors"] == 0
    lines = check_lines(keyguard("sweep", "--format", "jsonl", cwd=repo).stdout)
    assert [(r["kind"], r["path"]) for r in lines] == [("warning", FIXTURE)]
    sarif = keyguard("sweep", "--format", "sarif", cwd=repo)
    assert sarif.returncode == 0
    [invocation] = check_sarif(sarif.stdout)["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is True
    assert [n["level"] for n in invocation["toolExecutionNotifications"]] == ["warning"]
    assert FIXTURE in invocation["toolExecutionNotifications"][0]["message"]["text"]
    console = keyguard("sweep", cwd=repo)
    assert console.returncode == 0
    assert f"note: {FIXTURE}: truncated gzip stream; scanned the " in console.stdout


def test_an_archive_left_unread_still_exits_three(tmp_path: Path) -> None:
    locked = encrypted_flag(zip_of({"config.js": b"var a = 1;\n" * 40}))
    repo = _vendored(tmp_path, {"release.zip": locked})
    proc = keyguard("sweep", "--format", "json", cwd=repo)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    report = check_report(proc.stdout)
    assert [(e["path"], e["message"]) for e in report["errors"]] == [
        ("release.zip", "config.js: encrypted zip member; not scanned")
    ]
    assert [w["path"] for w in report["warnings"]] == [FIXTURE]
