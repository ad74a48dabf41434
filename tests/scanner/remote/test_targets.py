"""Parsing what a sweep target names."""

from __future__ import annotations

import pytest

from plugins.errors import UsageError
from scanner.remote.targets import (
    Forge,
    ForgeTarget,
    RefusedTarget,
    Servers,
    UrlTarget,
    is_remote,
    parse,
    without_credentials,
)

SERVERS = Servers(github="https://github.com", gitlab="https://gitlab.example.com")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("github:acme", ForgeTarget(Forge.GITHUB, "acme")),
        ("github:acme/shop", ForgeTarget(Forge.GITHUB, "acme/shop")),
        ("github:acme/shop.git", ForgeTarget(Forge.GITHUB, "acme/shop")),
        ("gitlab:group", ForgeTarget(Forge.GITLAB, "group")),
        ("gitlab:group/sub/project", ForgeTarget(Forge.GITLAB, "group/sub/project")),
    ],
)
def test_forge_targets(text: str, expected: ForgeTarget) -> None:
    assert is_remote(text)
    assert parse(text, SERVERS) == expected


@pytest.mark.parametrize(
    ("text", "name", "forge"),
    [
        ("https://github.com/acme/shop.git", "github:acme/shop", Forge.GITHUB),
        ("https://gitlab.example.com/g/sub/p.git", "gitlab:g/sub/p", Forge.GITLAB),
        ("https://git.example.net/team/app", "git.example.net/team/app", None),
        ("http://127.0.0.1:8080/team/app.git", "127.0.0.1:8080/team/app", None),
        ("ssh://git@git.example.net:2222/team/app.git", "git.example.net:2222/team/app", None),
        ("git@github.com:acme/shop.git", "github:acme/shop", Forge.GITHUB),
        ("git@git.example.net:team/app.git", "git.example.net/team/app", None),
    ],
)
def test_clone_urls_get_full_names(text: str, name: str, forge: Forge | None) -> None:
    assert is_remote(text)
    parsed = parse(text, SERVERS)
    assert isinstance(parsed, UrlTarget)
    assert (parsed.name, parsed.forge) == (name, forge)


@pytest.mark.parametrize(
    "text",
    [
        "https://someone:hunter2@github.com/acme/shop.git",
        "https://tokenvalue@github.com/acme/shop.git",
        "ssh://git:secret@git.example.net/team/app.git",
    ],
)
def test_urls_with_credentials_are_refused_and_never_repeated(text: str) -> None:
    parsed = parse(text, SERVERS)
    assert isinstance(parsed, RefusedTarget)
    assert parsed.reason == "credentials-in-url"
    assert "hunter2" not in parsed.shown
    assert "tokenvalue" not in parsed.shown
    assert "secret" not in parsed.shown


@pytest.mark.parametrize("text", ["github:", "github:a/b/c", "github:-x", "gitlab:a//b"])
def test_malformed_forge_targets_are_usage_errors(text: str) -> None:
    with pytest.raises(UsageError):
        parse(text, SERVERS)


@pytest.mark.parametrize("text", [".", "src/repo", "/srv/git/app.git", "C:/code", "a@b"])
def test_paths_stay_paths(text: str) -> None:
    assert not is_remote(text)


def test_without_credentials_cuts_every_url_userinfo() -> None:
    text = "fatal: unable to access 'https://x-access-token:abc@host/r.git/': 403"
    assert without_credentials(text) == "fatal: unable to access 'https://***@host/r.git/': 403"
