"""The rotation checklist as people read it: on a terminal, piped, or on a narrow one."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from keyguard.checklist import create_link, render
from rotator.config import Target


@pytest.mark.parametrize("width", [80, 50])
def test_the_create_key_link_is_never_cut_short(width: int) -> None:
    # Piped output is 80 columns wide: the link must survive whole, not end in '…'.
    target = Target(
        vault_path="secret/klaviyo/storefront", scopes=("events:write", "profiles:read")
    )
    out = io.StringIO()
    Console(file=out, width=width, no_color=True).print(render(target, None))
    text = out.getvalue()
    assert "…" not in text
    assert create_link(target) in "".join(text.split())
