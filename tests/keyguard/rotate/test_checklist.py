"""The rotation checklist as people read it: on a terminal, piped, or on a narrow one."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from keyguard.rotate.checklist import create_link, render
from rotator.config import Target
from rotator.journal import Journal
from rotator.states import State


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


def test_an_aborted_rotation_marks_no_step_as_failed() -> None:
    target = Target(vault_path="secret/klaviyo/storefront")
    journal = Journal(
        rotation_id="r1",
        state=State.ABORTED,
        base_version=1,
        field="private_key",
        started_at="2026-11-30T00:00:00Z",
        updated_at="2026-11-30T00:01:00Z",
    )
    out = io.StringIO()
    Console(file=out, width=100, no_color=True).print(render(target, journal))
    text = out.getvalue()
    assert "✗" not in text
    assert "aborted" in text.lower()
