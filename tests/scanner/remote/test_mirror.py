"""Bare mirrors cloned and fetched from the smart-HTTP git server, the token kept secret."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import git
import pytest

from keyguard.rehearsal.git_http import GitHttpServer
from scanner.git.tips import read_refs
from scanner.remote.cache import default_cache_dir, mirror_path
from scanner.remote.endpoints import Token
from scanner.remote.gitauth import auth_environment, secret_forms
from scanner.remote.mirror import MirrorError, update_mirror
from scanner.remote.targets import Forge
from tests.support.forge import make_token, serve_history, serve_repo
from tests.support.leaks import files_holding, git_wrapper, watching_argv


def refs(path: Path) -> dict[str, str]:
    return {r.path: r.commit.hexsha for r in git.Repo(path).references}


def mirror(
    server: GitHttpServer,
    cache: Path,
    path: str,
    *,
    token: str | None = None,
    pull_refs: bool = True,
) -> Path:
    url = server.url_for(path)
    secret = Token("GITHUB_TOKEN", token if token is not None else str(server.token))
    env = auth_environment(os.environ, url, secret, Forge.GITHUB)
    fetched = update_mirror(
        mirror_path(cache, url),
        url,
        forge=Forge.GITHUB,
        env=env,
        secrets=secret_forms(secret),
        pull_refs=pull_refs,
    )
    return fetched.path


def test_a_mirror_holds_branches_tags_and_pull_request_heads(
    git_server: GitHttpServer, tmp_path: Path
) -> None:
    bare = serve_repo(git_server, "acme/shop", {"a.txt": "one\n"}, pulls={3: {"a.txt": "pr\n"}})
    git.Repo(bare).create_tag("v1")
    git.Repo(bare).git.update_ref("refs/pull/3/merge", "refs/heads/main")
    path = mirror(git_server, tmp_path / "cache", "acme/shop")
    assert (
        path
        == tmp_path
        / "cache"
        / f"127.0.0.1_{git_server.url.rsplit(':', 1)[1]}"
        / "acme"
        / "shop.git"
    )
    assert set(refs(path)) == {"refs/heads/main", "refs/tags/v1", "refs/pull/3/head"}
    assert refs(path)["refs/pull/3/head"] == refs(bare)["refs/pull/3/head"]
    assert not list(path.parent.glob("*.partial-*"))


def test_the_next_sweep_fetches_only_what_is_new_and_prunes(
    git_server: GitHttpServer, tmp_path: Path
) -> None:
    bare = serve_repo(git_server, "acme/shop", {"a.txt": "one\n"}, pulls={1: {"a.txt": "x\n"}})
    cache = tmp_path / "cache"
    path = mirror(git_server, cache, "acme/shop")
    inode = (path / "objects").stat().st_ino
    serve_history(git_server, "acme/shop", [{"b.txt": "two\n"}])
    git.Repo(bare).git.update_ref("-d", "refs/pull/1/head")
    url = git_server.url_for("acme/shop")
    secret = Token("GITHUB_TOKEN", str(git_server.token))
    fetched = update_mirror(
        path,
        url,
        forge=Forge.GITHUB,
        env=auth_environment(os.environ, url, secret, Forge.GITHUB),
        secrets=secret_forms(secret),
    )
    assert not fetched.cloned
    assert fetched.updated == 1  # main moved (GitPython does not report the pruned head)
    assert refs(path) == {"refs/heads/main": refs(bare)["refs/heads/main"]}
    assert (path / "objects").stat().st_ino == inode  # fetched into, not cloned again


def test_without_pull_refs_a_mirror_forgets_them(git_server: GitHttpServer, tmp_path: Path) -> None:
    serve_repo(git_server, "acme/shop", {"a.txt": "one\n"}, pulls={2: {"a.txt": "pr\n"}})
    cache = tmp_path / "cache"
    assert "refs/pull/2/head" in refs(mirror(git_server, cache, "acme/shop"))
    assert set(refs(mirror(git_server, cache, "acme/shop", pull_refs=False))) == {"refs/heads/main"}
    assert "refs/pull/2/head" in refs(mirror(git_server, cache, "acme/shop"))


def test_the_token_is_never_in_argv_config_or_cache(
    git_server: GitHttpServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serve_repo(git_server, "acme/shop", {"a.txt": "one\n"}, pulls={5: {"a.txt": "pr\n"}})
    argv_log = tmp_path / "argv.log"
    git_wrapper(tmp_path / "bin", argv_log)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    forms = secret_forms(Token("GITHUB_TOKEN", str(git_server.token)))
    cache = tmp_path / "cache"
    with watching_argv(forms) as seen:
        path = mirror(git_server, cache, "acme/shop")
        serve_history(git_server, "acme/shop", [{"b.txt": "two\n"}])
        mirror(git_server, cache, "acme/shop")
    assert seen == []
    logged = argv_log.read_text()
    assert "fetch" in logged  # the wrapper did see GitPython's git calls
    assert not any(form in logged for form in forms)
    assert files_holding(cache, forms) == []
    config = (path / "config").read_text()
    assert git_server.url_for("acme/shop") in config
    assert "keyguard-never-pushes" in config
    assert git_server.pushes() == 0


@pytest.mark.parametrize(
    ("setup", "problem"),
    [("denied", "not-found"), ("wrong-token", "unauthorized"), ("missing", "not-found")],
)
def test_a_failing_clone_is_one_redacted_line(
    git_server: GitHttpServer, tmp_path: Path, setup: str, problem: str
) -> None:
    serve_repo(git_server, "acme/shop", {"a.txt": "one\n"})
    token = make_token("wrong") if setup == "wrong-token" else None
    if setup == "denied":
        git_server.denied.add("acme/shop")
    path = "acme/gone" if setup == "missing" else "acme/shop"
    with pytest.raises(MirrorError) as caught:
        mirror(git_server, tmp_path / "cache", path, token=token)
    assert caught.value.problem == problem
    message = str(caught.value)
    assert "\n" not in message
    assert make_token("wrong") not in message
    assert str(git_server.token) not in message
    assert not any((tmp_path / "cache").rglob("*.git/HEAD"))  # no half mirror left behind


def test_default_cache_dir_follows_the_platform(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "x")}
    assert default_cache_dir(env, "linux") == tmp_path / "x" / "keyguard" / "mirrors"
    assert default_cache_dir({"HOME": str(tmp_path)}, "linux") == (
        tmp_path / ".cache" / "keyguard" / "mirrors"
    )
    assert default_cache_dir(env, "darwin") == tmp_path / "Library/Caches/keyguard/mirrors"


def test_mirror_paths_never_leave_the_cache(tmp_path: Path) -> None:
    for url in ("https://h.example/../../etc/x.git", "git@h.example:../up.git", "https://h/.git"):
        path = mirror_path(tmp_path, url)
        assert tmp_path in path.parents
        assert ".." not in path.relative_to(tmp_path).parts


def test_a_server_that_never_answers_is_stopped_at_the_timeout(tmp_path: Path) -> None:
    # A real TCP listener that accepts and never says a word: git waits on it forever.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/acme/stuck.git"
        path = mirror_path(tmp_path / "cache", url)
        started = time.monotonic()
        with pytest.raises(MirrorError) as caught:
            update_mirror(path, url, forge=None, env=dict(os.environ), secrets=(), timeout=1.5)
        took = time.monotonic() - started
    assert caught.value.problem == "timeout"
    assert str(caught.value) == "the clone or fetch took longer than 1.5 s and was stopped"
    assert took < 60  # stopped, not left to git's own (absent) limit
    assert not path.exists()  # no half mirror left behind


def test_a_clone_tells_how_far_git_is_when_asked(git_server: GitHttpServer, tmp_path: Path) -> None:
    # Over a hundred objects: git keeps the pack whole and says how it receives it (a
    # smaller fetch is unpacked into loose objects, a phase GitPython does not read).
    serve_history(git_server, "acme/shop", [{f"f{i}.txt": f"{i}\n"} for i in range(40)])
    url = git_server.url_for("acme/shop")
    secret = Token("GITHUB_TOKEN", str(git_server.token))
    heard: list[tuple[str, int, int | None]] = []
    update_mirror(
        mirror_path(tmp_path / "cache", url),
        url,
        forge=Forge.GITHUB,
        env=auth_environment(os.environ, url, secret, Forge.GITHUB),
        secrets=secret_forms(secret),
        progress=lambda phase, done, total: heard.append((phase, done, total)),
    )
    phases = [phase for phase, _, _ in heard]
    assert "receiving objects" in phases
    # Each phase ends told whole: 40 commits, 40 trees, 40 blobs received.
    received = [(done, total) for phase, done, total in heard if phase == "receiving objects"]
    assert received[-1] == (120, 120)
    assert all(total is None or 0 <= done <= total for _, done, total in heard)


def test_a_fetch_asks_the_server_twice_and_leaves_a_settled_config_alone(
    git_server: GitHttpServer, tmp_path: Path
) -> None:
    serve_repo(git_server, "acme/shop", {"a.txt": "one\n"})
    path = mirror(git_server, tmp_path / "cache", "acme/shop")
    written = (path / "config").stat().st_mtime_ns
    serve_history(git_server, "acme/shop", [{"b.txt": "two\n"}])
    before = len(git_server.requests)
    mirror(git_server, tmp_path / "cache", "acme/shop")
    # The refs and the pack: no third request for the server's capabilities (protocol v2).
    asked = [(r.method, r.path.rsplit("/", 1)[1]) for r in git_server.requests[before:]]
    assert asked == [("GET", "refs"), ("POST", "git-upload-pack")]
    assert (path / "config").stat().st_mtime_ns == written
    assert (
        refs(path)["refs/heads/main"] == refs(git_server.root / "acme/shop.git")["refs/heads/main"]
    )


def test_a_first_clone_of_many_refs_packs_them_into_one_file(
    git_server: GitHttpServer, tmp_path: Path
) -> None:
    bare = serve_repo(git_server, "acme/shop", {"a.txt": "one\n"})
    served = git.Repo(bare)
    for number in range(1, 81):  # eighty pull requests, each a ref of its own
        served.git.update_ref(f"refs/pull/{number}/head", "refs/heads/main")
    path = mirror(git_server, tmp_path / "cache", "acme/shop")
    assert not list((path / "refs" / "pull").rglob("head"))  # no file per ref
    assert len(read_refs(path) or {}) == 81
    assert read_refs(path) == refs(path)
