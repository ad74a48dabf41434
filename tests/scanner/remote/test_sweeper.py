"""A remote repository swept through its mirror: named by its full name, HEAD as the
server has it, and a warm run that neither fetches nor sweeps what did not move."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import git
import pytest

from keyguard.rehearsal.git_http import GitHttpServer
from plugins.pattern import fingerprint
from scanner.fleet import Activity, sweep_many
from scanner.remote import record, refcheck
from scanner.remote.endpoints import Token
from scanner.remote.repo import RemoteRepo
from scanner.remote.sweeper import MirrorSweeper
from scanner.remote.targets import Forge
from scanner.sweep import SweepOptions, TargetResult
from tests.support.archives import cut_tgz
from tests.support.forge import serve_history, serve_repo
from tests.support.git import git as git_cli
from tests.support.keys import make_key
from tests.support.leaks import git_wrapper

CHECKOUT = Path(__file__).resolve().parents[3]


def sweeper(server: GitHttpServer, cache: Path, *repos: RemoteRepo) -> MirrorSweeper:
    token = Token("GITHUB_TOKEN", str(server.token))
    return MirrorSweeper({r.name: r for r in repos}, cache, {Forge.GITHUB: token})


def sweep(it: MirrorSweeper, name: str) -> TargetResult:
    return it(name, SweepOptions(), cache=frozenset(), remember=False, progress=None)


def test_a_mirror_is_reported_by_its_full_name_with_head_as_the_server_has_it(
    git_server: GitHttpServer, tmp_path: Path
) -> None:
    key = make_key("still-at-head")
    bare = serve_repo(git_server, "acme/shop", {"k.env": f"K={key}\n"})
    git.Repo(bare).git.branch("-m", "main", "trunk")
    by_api = RemoteRepo(
        "github:acme/shop", git_server.url_for("acme/shop"), Forge.GITHUB, default_branch="trunk"
    )
    result = sweep(sweeper(git_server, tmp_path / "a", by_api), "github:acme/shop")
    ((secret, where),) = result.hits
    assert secret.fingerprint == fingerprint(key)
    assert result.target == "github:acme/shop"
    assert result.kind == "mirror"
    assert where.provenance is not None
    assert where.provenance.repository == "github:acme/shop"
    assert where.provenance.at_head
    # A URL no API described: the server is asked where its HEAD points.
    by_url = RemoteRepo("github:acme/shop", git_server.url_for("acme/shop"), Forge.GITHUB)
    ((_, again),) = sweep(sweeper(git_server, tmp_path / "b", by_url), "github:acme/shop").hits
    assert again.provenance is not None
    assert again.provenance.at_head


def test_the_advertisement_is_read_as_git_reads_it(git_server: GitHttpServer) -> None:
    bare = serve_repo(git_server, "acme/shop", {"a": "1\n"}, pulls={2: {"a": "2\n"}})
    git.Repo(bare).create_tag("v1", message="annotated")
    token = Token("GITHUB_TOKEN", str(git_server.token))
    refs = refcheck.advertised(git_server.url_for("acme/shop"), token.basic_auth(Forge.GITHUB))
    assert refs is not None
    local = {r.path: r.object.hexsha for r in git.Repo(bare).references}
    assert refcheck.wanted(refs, ("refs/heads/*", "refs/tags/*", "refs/pull/*/head")) == local
    assert refcheck.advertised(git_server.url_for("acme/shop"), None) is None  # 401: ask git
    assert refcheck.advertised("ssh://git@127.0.0.1/acme/shop.git", None) is None


@pytest.fixture
def argv_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    log = tmp_path / "argv.log"
    git_wrapper(tmp_path / "bin", log)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    return log


def test_a_warm_run_neither_fetches_nor_sweeps_what_did_not_move(
    git_server: GitHttpServer, tmp_path: Path, argv_log: Path
) -> None:
    key = make_key("warm")
    serve_repo(git_server, "acme/keys", {"k.env": f"K={key}\n"})
    serve_repo(git_server, "acme/clean", {"a.txt": "clean\n"})
    repos = [
        RemoteRepo(
            f"github:acme/{n}", git_server.url_for(f"acme/{n}"), Forge.GITHUB, default_branch="main"
        )
        for n in ("keys", "clean")
    ]
    it = sweeper(git_server, tmp_path / "cache", *repos)
    cold = {name: sweep(it, name) for name in ("github:acme/keys", "github:acme/clean")}
    argv_log.write_text("")
    before = len(git_server.requests)
    warm = {name: sweep(it, name) for name in cold}
    assert warm == cold
    assert argv_log.read_text().count("clean.git") == 0  # no fetch, no sweep: nothing moved
    # The key's blob is read again, and only it: one git process, no history walked.
    assert [ln for ln in argv_log.read_text().splitlines() if "keys.git" in ln] == [
        ln for ln in argv_log.read_text().splitlines() if "keys.git cat-file --batch" in ln
    ]
    assert argv_log.read_text().count("keys.git") == 1
    assert {r.method for r in git_server.requests[before:]} == {"GET"}  # one look at the refs
    # Something new: fetched, and swept again.
    new = make_key("warm-new")
    serve_history(git_server, "acme/clean", [{"b.env": f"K={new}\n"}])
    argv_log.write_text("")
    moved = sweep(it, "github:acme/clean")
    assert {s.fingerprint for s, _ in moved.hits} == {fingerprint(new)}
    assert "fetch" in argv_log.read_text()
    assert sweep(it, "github:acme/clean") == moved


def test_settling_answers_what_did_not_move_without_a_worker(
    git_server: GitHttpServer, tmp_path: Path, argv_log: Path
) -> None:
    serve_repo(git_server, "acme/keys", {"k.env": f"K={make_key('settle')}\n"})
    serve_repo(git_server, "acme/clean", {"a.txt": "clean\n"})
    serve_repo(git_server, "acme/new", {"a.txt": "new\n"})
    repos = [
        RemoteRepo(f"github:acme/{n}", git_server.url_for(f"acme/{n}"), Forge.GITHUB)
        for n in ("keys", "clean", "new")
    ]
    it = sweeper(git_server, tmp_path / "cache", *repos)
    cold = {n: sweep(it, n) for n in ("github:acme/keys", "github:acme/clean")}
    argv_log.write_text("")
    settled = it.settle(
        ["github:acme/clean", "github:acme/keys", "github:acme/new"], SweepOptions()
    )
    assert settled.done == (cold["github:acme/clean"],)
    assert settled.left == ["github:acme/keys", "github:acme/new"]
    # What settling learnt is not asked again: up to date, or (no mirror yet) behind.
    assert settled.sweeper.up_to_date == {"github:acme/keys": True, "github:acme/new": False}
    assert argv_log.read_text() == ""  # no git process at all
    assert sweep(settled.sweeper, "github:acme/keys") == cold["github:acme/keys"]


def test_a_mirror_settling_found_behind_is_fetched_without_a_second_look(
    git_server: GitHttpServer, tmp_path: Path
) -> None:
    serve_repo(git_server, "acme/shop", {"a.txt": "clean\n"})
    repo = RemoteRepo("github:acme/shop", git_server.url_for("acme/shop"), Forge.GITHUB)
    it = sweeper(git_server, tmp_path / "cache", repo)
    sweep(it, "github:acme/shop")
    key = make_key("pushed-later")
    serve_history(git_server, "acme/shop", [{"k.env": f"K={key}\n"}])
    settled = it.settle(["github:acme/shop"], SweepOptions())
    assert settled.sweeper.up_to_date == {"github:acme/shop": False}
    before = len(git_server.requests)
    moved = sweep(settled.sweeper, "github:acme/shop")
    assert {s.fingerprint for s, _ in moved.hits} == {fingerprint(key)}
    asked = [r for r in git_server.requests[before:] if r.method == "GET"]
    assert len(asked) == 1  # the fetch's own look at the refs, no refcheck before it


def test_a_local_sweep_never_imports_what_remote_targets_need() -> None:
    code = (
        "import sys, keyguard.commands.sweep, scanner.remote.plan\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'httpx', 'git', 'ssl'}))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=CHECKOUT
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_a_moved_mirror_reads_only_what_is_new_and_reports_as_a_whole_sweep_would(
    git_server: GitHttpServer, tmp_path: Path
) -> None:
    old, new = make_key("before-the-move"), make_key("after-the-move")
    history: list[Mapping[str, str]] = [
        {f"src/m{i}.js": f"export const m{i} = {i};\n" for i in range(8)}
    ]
    history.append({"k.env": f"K={old}\n", "src/m0.js": "export const m0 = 'changed';\n"})
    serve_history(git_server, "acme/shop", history)
    repo = RemoteRepo(
        "github:acme/shop", git_server.url_for("acme/shop"), Forge.GITHUB, default_branch="main"
    )
    it = sweeper(git_server, tmp_path / "cache", repo)
    cold = sweep(it, "github:acme/shop")
    assert cold.stats.cached == 0
    # The old key leaves HEAD, a new one arrives: the attribution of both is redone.
    (git_server.root.parent / "work" / "acme/shop" / "k.env").unlink()
    serve_history(git_server, "acme/shop", [{"n.env": f"K={new}\n"}])
    warm = sweep(it, "github:acme/shop")
    whole = sweep(sweeper(git_server, tmp_path / "other-cache", repo), "github:acme/shop")
    assert warm.hits == whole.hits
    assert {s.fingerprint for s, _ in warm.hits} == {fingerprint(old), fingerprint(new)}
    at_head = {s.fingerprint: o.provenance.at_head for s, o in warm.hits if o.provenance}
    assert at_head == {fingerprint(old): False, fingerprint(new): True}
    # Read: the new blob and the old key's blob; the nine blobs read clean before are not.
    assert (warm.stats.blobs, warm.stats.cached) == (2, whole.stats.blobs - 2)
    assert warm.errors == whole.errors == ()


def test_a_mirror_whose_recorded_commits_are_gone_is_swept_whole(
    git_server: GitHttpServer, tmp_path: Path
) -> None:
    serve_history(git_server, "acme/shop", [{"a.txt": "a\n"}, {"b.txt": "b\n"}])
    repo = RemoteRepo("github:acme/shop", git_server.url_for("acme/shop"), Forge.GITHUB)
    it = sweeper(git_server, tmp_path / "cache", repo)
    sweep(it, "github:acme/shop")
    mirror = it.path_of("github:acme/shop")
    kept = json.loads((mirror / record.NAME).read_text())
    kept["tips"] = ["0" * 40]  # a commit git does not hold (collected since, say)
    (mirror / record.NAME).write_text(json.dumps(kept))
    key = make_key("after-a-gc")
    serve_history(git_server, "acme/shop", [{"k.env": f"K={key}\n"}])
    warm = sweep(it, "github:acme/shop")
    assert {s.fingerprint for s, _ in warm.hits} == {fingerprint(key)}
    assert (warm.stats.blobs, warm.stats.cached) == (3, 0)


def test_workers_tell_how_their_clones_go_and_a_warm_run_has_nothing_to_tell(
    git_server: GitHttpServer, tmp_path: Path
) -> None:
    names = ("acme/one", "acme/two")
    for name in names:
        serve_history(git_server, name, [{f"f{i}.txt": f"{name} {i}\n"} for i in range(40)])
    repos = [RemoteRepo(f"github:{n}", git_server.url_for(n), Forge.GITHUB) for n in names]
    it = sweeper(git_server, tmp_path / "cache", *repos)
    targets = [r.name for r in repos]
    heard: list[Activity] = []
    cold = sweep_many(targets, SweepOptions(), jobs=2, sweeper=it, watch=heard.append)
    assert cold.errors == ()
    for target in targets:  # told from the worker processes, in order, one line each
        own = [a for a in heard if a.target == target]
        assert own[0] == Activity(target, "cloning")
        assert own[-1] == Activity(target, "")
        assert ("receiving objects", 120, 120) in [(a.phase, a.done, a.total) for a in own]
    heard.clear()
    settled = it.settle(targets, SweepOptions())
    sweep_many(settled.left, SweepOptions(), jobs=2, sweeper=settled.sweeper, watch=heard.append)
    assert heard == []  # nothing moved: nothing cloned or fetched


def test_a_moved_mirror_with_a_damaged_fixture_warns_again_and_reads_only_what_is_new(
    git_server: GitHttpServer, tmp_path: Path
) -> None:
    serve_history(git_server, "acme/shop", [{f"src/m{i}.js": f"m{i}\n" for i in range(6)}])
    work = git_server.root.parent / "work" / "acme/shop"
    (work / "fixture.tgz").write_bytes(cut_tgz({"package/rand": os.urandom(3000)}))
    serve_history(git_server, "acme/shop", [{"README.md": "shop\n"}])
    repo = RemoteRepo("github:acme/shop", git_server.url_for("acme/shop"), Forge.GITHUB)
    it = sweeper(git_server, tmp_path / "cache", repo)
    cold = sweep(it, "github:acme/shop")
    assert [w.path for w in cold.warnings] == ["fixture.tgz"]
    serve_history(git_server, "acme/shop", [{"new.js": "new\n"}])
    warm = sweep(it, "github:acme/shop")
    whole = sweep(sweeper(git_server, tmp_path / "other-cache", repo), "github:acme/shop")
    assert warm.warnings == whole.warnings == cold.warnings  # the damage said again
    assert (warm.stats.blobs, warm.stats.cached) == (2, whole.stats.blobs - 2)


def test_a_mirror_whose_history_was_rewritten_drops_what_left_and_reads_what_is_new(
    git_server: GitHttpServer, tmp_path: Path
) -> None:
    gone, kept = make_key("force-pushed-away"), make_key("pushed-instead")
    serve_history(git_server, "acme/shop", [{"a.txt": "a\n"}, {"k.env": f"K={gone}\n"}])
    repo = RemoteRepo("github:acme/shop", git_server.url_for("acme/shop"), Forge.GITHUB)
    it = sweeper(git_server, tmp_path / "cache", repo)
    assert {s.fingerprint for s, _ in sweep(it, "github:acme/shop").hits} == {fingerprint(gone)}
    work = git_server.root.parent / "work" / "acme/shop"
    git_cli(work, "reset", "-q", "--hard", "HEAD~1")  # the key's commit, rewritten away
    (work / "n.env").write_text(f"K={kept}\n")
    git_cli(work, "add", "-A")
    git_cli(work, "commit", "-q", "-m", "instead")
    git_cli(work, "push", "-q", "--force", str(git_server.root / "acme/shop.git"), "main")
    warm = sweep(it, "github:acme/shop")
    whole = sweep(sweeper(git_server, tmp_path / "other-cache", repo), "github:acme/shop")
    assert warm.hits == whole.hits
    assert {s.fingerprint for s, _ in warm.hits} == {fingerprint(kept)}
    assert warm.stats.cached > 0  # still not read whole: the blobs read clean are skipped
