"""``keyguard keys list`` against the stand-in's beta API-keys endpoint."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from keyguard.rehearsal.klaviyo_standin import KlaviyoStandin
from plugins.client.api import CORE_WRITE_SCOPES
from plugins.pattern import redact
from tests.support.keys import make_key
from tests.support.klaviyo_cli import run_keyguard

ADMIN_ENV = "KEYGUARD_KLAVIYO_ADMIN_KEY"


def populate(standin: KlaviyoStandin) -> tuple[str, str, str]:
    account = standin.add_account("Inv123")
    now = datetime.now(timezone.utc)
    admin, old, full = make_key("inv-admin"), make_key("inv-old"), make_key("inv-full")
    standin.add_key(
        admin, account=account, scopes=["credentials:read"], name="inventory", created=now
    )
    standin.add_key(old, account=account, name="legacy shop", created=now - timedelta(days=400))
    standin.add_key(
        full,
        account=account,
        scopes=sorted(CORE_WRITE_SCOPES),
        name="agency",
        created=now - timedelta(days=10),
    )
    return admin, old, full


def test_json_inventory_flags_old_and_full_access_keys(
    klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    admin, old, full = populate(klaviyo)
    proc = run_keyguard(
        "keys", "list", "--max-age", "90d", "--format", "json",
        cwd=tmp_path, url=klaviyo.url, env={ADMIN_ENV: admin},
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    document = json.loads(proc.stdout)
    assert document["beta"] is True
    assert "beta" in proc.stderr
    by_key = {k["redacted_key"]: k for k in document["keys"]}
    assert set(by_key) == {redact(admin), redact(old), redact(full)}
    assert by_key[redact(old)]["too_old"] is True
    assert by_key[redact(old)]["age_days"] == 400
    assert by_key[redact(full)]["full_access"] is True
    assert by_key[redact(admin)]["too_old"] is False
    assert document["keys"][0]["redacted_key"] == redact(old)  # old keys first
    for key in (admin, old, full):
        assert key not in proc.stdout + proc.stderr


def test_admin_key_on_stdin_and_console_output(klaviyo: KlaviyoStandin, tmp_path: Path) -> None:
    admin, _, _ = populate(klaviyo)
    proc = run_keyguard("keys", "list", cwd=tmp_path, url=klaviyo.url, stdin=admin + "\n")
    assert proc.returncode == 0, proc.stderr
    assert "FULL ACCESS" in proc.stdout
    assert "legacy shop" in proc.stdout
    assert "beta" in proc.stdout
    assert admin not in proc.stdout + proc.stderr


def test_absent_endpoint_exits_3_with_advice(tmp_path: Path) -> None:
    with KlaviyoStandin(None, api_keys_status=410) as standin:
        admin, _, _ = populate(standin)
        proc = run_keyguard("keys", "list", cwd=tmp_path, url=standin.url, env={ADMIN_ENV: admin})
    assert proc.returncode == 3
    assert "410" in proc.stderr
    assert "Settings > API Keys" in proc.stderr
    assert admin not in proc.stderr


def test_missing_admin_key_and_bad_max_age_are_usage_errors(tmp_path: Path) -> None:
    missing = run_keyguard("keys", "list", cwd=tmp_path, url="http://127.0.0.1:9")
    bad_age = run_keyguard(
        "keys", "list", "--max-age", "soon", cwd=tmp_path, env={ADMIN_ENV: make_key("a")}
    )
    assert missing.returncode == 2
    assert f"set {ADMIN_ENV} or pipe the admin key" in missing.stderr
    assert bad_age.returncode == 2
    assert "90d" in bad_age.stderr
