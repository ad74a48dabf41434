"""The rotate options as records: what the flags build, how they merge with the config."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click
import pytest

from keyguard.rotate.hints import naming_args
from keyguard.rotate.options import (
    RotateOptions,
    RunOptions,
    SecretChoice,
    run_options,
    target_options,
)
from plugins.client.defaults import ENV_URL
from plugins.errors import UsageError
from rotator.config import DEFAULT_FIELD, Config, Target
from rotator.vault_env import Login

SHOP = Target(vault_path="secret/shop", field="api_key", name="shop", soak=timedelta(minutes=5))
CFG = Config(targets={"shop": SHOP, "blog": Target("secret/blog", name="blog")})


@click.command()
@target_options
@run_options
def _echo(*, options: RotateOptions, run: RunOptions) -> tuple[RotateOptions, RunOptions]:
    return options, run


def _parse(*args: str) -> tuple[RotateOptions, RunOptions]:
    parsed: tuple[RotateOptions, RunOptions] = _echo.main(list(args), standalone_mode=False)
    return parsed


def test_no_flags_build_the_records_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_URL, raising=False)
    assert _parse() == (RotateOptions(), RunOptions())


def test_the_flags_land_in_their_fields(tmp_path: Path) -> None:
    options, run = _parse(
        *("--config", str(tmp_path / "k.toml"), "--target", "shop", "--field", "f"),
        *("--soak", "10m", "--vault-auth", "approle", "--vault-role-id", "r"),
        *("--audit-log", str(tmp_path / "a.jsonl"), "--min-token-ttl", "60"),
        *("--klaviyo-url", "http://127.0.0.1:9", "--klaviyo-timeout", "2"),
        *("--confirm", "cdn", "--confirm", "web", "--new-key-fd", "3", "--break-lock"),
    )
    assert options.secret == SecretChoice(tmp_path / "k.toml", "shop", None, "f", "10m")
    assert options.login == Login("approle", "r", None, None)
    assert (options.klaviyo_url, options.klaviyo_timeout) == ("http://127.0.0.1:9", 2.0)
    assert (options.audit_log, options.min_token_ttl) == (tmp_path / "a.jsonl", 60.0)
    assert run == RunOptions(new_key_fd=3, confirmed=("cdn", "web"), break_lock=True)


def test_a_target_is_named_or_the_only_one() -> None:
    assert SecretChoice(target_name="shop").target(CFG) == SHOP
    only = Config(targets={"shop": SHOP})
    assert SecretChoice().target(only) == SHOP
    with pytest.raises(UsageError, match=r"name the secret: .* \(configured: blog, shop\)$"):
        SecretChoice().target(CFG)
    with pytest.raises(UsageError, match="no target 'cart'"):
        SecretChoice(target_name="cart").target(CFG)


def test_a_vault_path_needs_no_configuration() -> None:
    target = SecretChoice(vault_path="/secret/x/").target(Config(targets={}))
    assert target == Target(vault_path="secret/x", field=DEFAULT_FIELD)


def test_a_flag_wins_over_the_configuration_which_wins_over_the_default() -> None:
    configured = SecretChoice(target_name="shop").target(CFG)
    assert (configured.field, configured.soak) == ("api_key", timedelta(minutes=5))
    flagged = SecretChoice(target_name="shop", vault_path="secret/moved", field="f", soak="1h")
    target = flagged.target(CFG)
    assert (target.vault_path, target.field, target.soak) == (
        "secret/moved",
        "f",
        timedelta(hours=1),
    )
    assert target.name == "shop"  # still the configured target, its integrations and all
    blog = SecretChoice(target_name="blog").target(CFG)
    assert (blog.field, blog.soak) == (DEFAULT_FIELD, timedelta(0))


def test_a_bad_soak_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="'soon' is not a duration"):
        SecretChoice(vault_path="secret/x", soak="soon").target(CFG)


def test_the_audit_log_flag_wins_over_the_configured_one(tmp_path: Path) -> None:
    cfg = Config(targets={}, audit_log="configured.jsonl")
    assert RotateOptions().connect(cfg, json_events=False).audit_log == Path("configured.jsonl")
    flagged = RotateOptions(audit_log=tmp_path / "flag.jsonl")
    assert flagged.connect(cfg, json_events=False).audit_log == tmp_path / "flag.jsonl"
    assert RotateOptions().connect(Config(targets={}), json_events=True).audit_log is None


def test_the_connection_carries_the_timing_options() -> None:
    options = RotateOptions(min_token_ttl=60.0, revoke_timeout=5.0, poll_interval=0.5)
    settings = options.connect(Config(targets={}), json_events=True).settings
    assert settings.min_token_ttl == timedelta(seconds=60)
    assert (settings.polling.timeout, settings.polling.interval) == (5.0, 0.5)


def test_resolve_reads_the_named_configuration(tmp_path: Path) -> None:
    config = tmp_path / "elsewhere.toml"
    config.write_text(
        '[rotation]\naudit_log = "a.jsonl"\n[targets.shop]\nvault_path = "secret/shop"\n',
        encoding="utf-8",
    )
    target, connect = RotateOptions(SecretChoice(config=config)).resolve(json_events=True)
    assert (target.name, target.vault_path) == ("shop", "secret/shop")
    assert (connect.audit_log, connect.json_events) == (Path("a.jsonl"), True)
    missing = RotateOptions(SecretChoice(config=tmp_path / "none.toml"))
    with pytest.raises(UsageError, match="not found"):
        missing.resolve(json_events=True)


def test_hints_repeat_the_options_that_name_the_secret(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(ENV_URL, raising=False)
    assert naming_args(RotateOptions()) == []
    options = RotateOptions(
        SecretChoice(tmp_path / "k.toml", "shop", "secret/x", soak="10m"),
        login=Login("userpass", username="ops"),
        klaviyo_url="http://127.0.0.1:9",
        min_token_ttl=1.0,
    )
    assert naming_args(options) == [
        *("--config", str(tmp_path / "k.toml"), "--target", "shop", "--vault-path", "secret/x"),
        *("--vault-username", "ops", "--vault-auth", "userpass"),
        *("--klaviyo-url", "http://127.0.0.1:9"),
    ]
