"""A repository to mirror and sweep: its full name, where to clone it from, what it is."""

from __future__ import annotations

from dataclasses import dataclass

from scanner.remote.targets import Forge


@dataclass(frozen=True, order=True)
class RemoteRepo:
    """``name`` is the full name reports use (``github:acme/shop``); ``clone_url`` holds
    no credentials. ``forge`` is None for a URL on a server no forge is configured for."""

    name: str
    clone_url: str
    forge: Forge | None = None
    fork: bool = False
    archived: bool = False
    default_branch: str | None = None  # as the API says; None: ask the git server
