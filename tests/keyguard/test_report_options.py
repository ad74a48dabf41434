"""Every machine format of every command that writes a report, run as a user runs it:
JSON against docs/report.schema.json (and read back by the model unchanged), JSON Lines
line by line, SARIF against the 2.1.0 schema and the specification's other rules."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from keyguard.rehearsal.klaviyo_standin import KeyState, KlaviyoStandin
from plugins.pattern import fingerprint
from scanner.shard import Shard
from tests.support.bundles import map_bytes, minify
from tests.support.git import GIT_ENV, commit_file, git, init_repo
from tests.support.history import build_corners
from tests.support.keys import make_key
from tests.support.klaviyo_cli import run_keyguard
from tests.support.report_schema import check_lines, check_report, check_sarif
from tests.support.site import Route, serve

FORMATS = ("json", "jsonl", "sarif")


def every_format(cwd: Path, *args: str, url: str | None = None, code: int = 1) -> dict[str, str]:
    """``keyguard ARGS --format F`` for each machine format, each checked; F -> stdout."""
    out: dict[str, str] = {}
    for fmt in FORMATS:
        proc = run_keyguard(*args, "--format", fmt, cwd=cwd, url=url, env=GIT_ENV)
        assert proc.returncode == code, (fmt, proc.stderr)
        out[fmt] = proc.stdout
    check_report(out["json"])
    check_lines(out["jsonl"])
    check_sarif(out["sarif"])
    return out


def assert_no_key(keys: list[str], outputs: dict[str, str]) -> None:
    for text in outputs.values():
        assert text
        assert not any(key in text for key in keys)


def test_scan_verified_and_with_secrets(klaviyo: KlaviyoStandin, tmp_path: Path) -> None:
    live, limited, revoked = (make_key(f"formats-{n}") for n in ("live", "limited", "revoked"))
    klaviyo.add_key(live, account=klaviyo.add_account("Shop42"))
    klaviyo.add_key(limited, state=KeyState.LIMITED)
    built = minify({"../src/config.js": f'export const k = "{live}";\n'})
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "app.js").write_text(built.bundle + "\n//# sourceMappingURL=app.js.map\n")
    (dist / "app.js.map").write_bytes(map_bytes(built.map))
    (tmp_path / "b64.txt").write_text(base64.b64encode(limited.encode()).decode() + "\n")
    (tmp_path / "old.env").write_text(f"K={revoked}\n")

    plain = every_format(tmp_path, "scan", ".")
    assert_no_key([live, limited, revoked], plain)
    verified = every_format(tmp_path, "scan", "--verify", ".", url=klaviyo.url)
    assert_no_key([live, limited, revoked], verified)
    document = check_report(verified["json"])
    assert [f["status"] for f in document["findings"]] == ["live", "limited", "revoked"]
    occurrences = [o for f in document["findings"] for o in f["occurrences"]]
    assert any("original" in o for o in occurrences)
    assert {o["encoding"] for o in occurrences} >= {"plain", "base64"}

    shown = every_format(tmp_path, "scan", "--show-secrets", ".")
    secrets = {f["secret"] for f in check_report(shown["json"])["findings"]}
    assert secrets == {live, limited, revoked}
    lines = check_lines(shown["jsonl"])
    assert {r["secret"] for r in lines if r["kind"] == "occurrence"} == secrets


def test_sweep_of_history_a_directory_and_a_missing_target(tmp_path: Path) -> None:
    corners = build_corners(tmp_path / "shop")
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "k.txt").write_text(make_key("formats-plain") + "\n")
    out = every_format(tmp_path, "sweep", "shop", "plain", "missing")
    assert_no_key(list(corners.keys.values()), out)
    document = check_report(out["json"])
    assert {"warnings", "targets"} <= document.keys()
    assert [e["path"] for e in document["errors"]] == ["missing"]
    occurrences = [o for f in document["findings"] for o in f["occurrences"]]
    assert any("blob" in o for o in occurrences)  # history, with provenance
    assert any("blob" not in o for o in occurrences)  # the plain directory, without
    assert "originalUriBaseIds" not in check_sarif(out["sarif"])["runs"][0]


def test_sweep_of_two_repositories_names_each_in_sarif(tmp_path: Path) -> None:
    for name in ("shop", "blog"):
        commit_file(init_repo(tmp_path / name), "k.env", f"K={make_key('formats-' + name)}\n")
    sarif = check_sarif(every_format(tmp_path, "sweep", "shop", "blog")["sarif"])
    assert len(sarif["runs"][0]["originalUriBaseIds"]) == 2


def test_sweep_of_a_site(tmp_path: Path) -> None:
    key = make_key("formats-site")
    routes = {
        "/": Route(b'<script src="/app.js"></script><script src="/gone.js"></script>'),
        "/app.js": Route(f'var k="{key}";'.encode(), content_type="text/javascript"),
        "/gone.js": Route(b"", status=404),
    }
    with serve(routes) as site:
        out = every_format(tmp_path, "sweep", "--url", site.base + "/", "--allow-private")
    assert_no_key([key], out)
    document = check_report(out["json"])
    assert [t["kind"] for t in document["targets"]] == ["site"]
    [finding] = document["findings"]
    assert finding["fingerprint"] == fingerprint(key)
    assert finding["occurrences"][0]["path"] == site.base + "/app.js"
    # In SARIF the asset is its URL, not a relative reference made of it (http%3A//…).
    [result] = json.loads(out["sarif"])["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location["uri"] == site.base + "/app.js"


def test_merge_of_shards_whole_and_partial(tmp_path: Path) -> None:
    targets: list[str] = []
    # A shard takes the targets whose path hashes to it, and tmp_path differs at every run:
    # add repositories until each shard holds one (else shard 0 may have no key to report).
    while len(targets) < 4 or not all(any(Shard(s, 2).selects(t) for t in targets) for s in (0, 1)):
        i = len(targets)
        repo = init_repo(tmp_path / f"repo{i}")
        commit_file(repo, "k.env", f"K={make_key(f'formats-merge-{i % 3}')}\n")
        targets.append(str(repo))
    listing = tmp_path / "targets.txt"
    listing.write_text("\n".join(targets) + "\n")
    shards = []
    for i in range(2):
        out = tmp_path / f"shard{i}.json"
        args = ("--targets-from", str(listing), "--shard", f"{i}/2", "--format", "json")
        proc = run_keyguard("sweep", *args, "-o", str(out), cwd=tmp_path, env=GIT_ENV)
        assert proc.returncode in (0, 1), proc.stderr
        assert check_report(out.read_text())["shard"]["index"] == i
        shards.append(str(out))
    merged = every_format(tmp_path, "merge", *shards)
    assert "shard" not in check_report(merged["json"])
    partial = every_format(tmp_path, "merge", "--allow-partial", shards[0])
    warnings = check_report(partial["json"])["warnings"]
    assert {"path": "merge", "message": "shard 1/2 is missing"} in warnings
    assert [r for r in check_lines(partial["jsonl"]) if r["kind"] == "warning"]


def test_a_merge_of_show_secrets_shards_holds_no_key(tmp_path: Path) -> None:
    key = make_key("formats-merge-secret")
    commit_file(init_repo(tmp_path / "repo"), "k.env", f"K={key}\n")
    shard = tmp_path / "shard.json"
    proc = run_keyguard(
        "sweep", "repo", "--show-secrets", "--format", "json", "-o", str(shard),
        cwd=tmp_path, env=GIT_ENV,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert key in shard.read_text()
    merged = every_format(tmp_path, "merge", str(shard))
    assert_no_key([key], merged)
    assert "secret" not in check_report(merged["json"])["findings"][0]


def test_the_sweep_of_a_clean_repository_is_valid_too(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "clean")
    commit_file(repo, "README.md", "nothing here\n")
    git(repo, "tag", "v1")
    out = every_format(tmp_path, "sweep", "clean", code=0)
    assert check_report(out["json"])["findings"] == []
    assert out["jsonl"] == ""
