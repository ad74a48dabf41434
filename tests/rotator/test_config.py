from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from plugins.errors import UsageError
from rotator.config import load, parse_duration


def test_targets_from_pyproject_tool_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.keyguard.targets.shop]\n"
        'vault_path = "secret/klaviyo/shop"\nscopes = ["events:write"]\nsoak = "10m"\n'
        "[[tool.keyguard.targets.shop.integrations]]\n"
        'name = "web"\nkind = "http"\nurl = "http://127.0.0.1:1/reload"\n',
        encoding="utf-8",
    )
    target = load(None, tmp_path).target("shop")
    assert target.vault_path == "secret/klaviyo/shop"
    assert target.soak == timedelta(minutes=10)
    assert target.integrations[0].kind == "http"


def test_keyguard_toml_wins_and_unknown_target_is_named(tmp_path: Path) -> None:
    (tmp_path / "keyguard.toml").write_text('[targets.a]\nvault_path = "kv/a"\n')
    with pytest.raises(UsageError, match=r"no target 'b'.*known: a"):
        load(None, tmp_path).target("b")


@pytest.mark.parametrize(
    ("text", "seconds"), [("90d", 7776000), ("10m", 600), ("30", 30), ("1.5h", 5400)]
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text).total_seconds() == seconds


def test_bad_integration_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "keyguard.toml").write_text(
        '[targets.a]\nvault_path = "kv/a"\n[[targets.a.integrations]]\nname = "x"\nkind = "ftp"\n'
    )
    with pytest.raises(UsageError, match="kind"):
        load(None, tmp_path)
