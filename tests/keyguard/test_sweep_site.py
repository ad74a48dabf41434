"""``keyguard sweep --url/--warc`` and ``keyguard scan`` archive limits, run as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.archives import zip_of
from tests.support.in_process import LOCALE, run_keyguard_in_process
from tests.support.keys import make_key
from tests.support.site import Route, brotli_bomb, gzip_bomb, serve

REPO = Path(__file__).resolve().parents[2]


def keyguard(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # A bare environment (no proxy, no HOME); the locale stays, as the test process has it.
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", **LOCALE}
    return run_keyguard_in_process(args, cwd=cwd, env=env)


def test_site_url_against_a_local_server(tmp_path: Path) -> None:
    key = make_key("cmd-site")
    routes = {
        "/": Route(b'<script src="/app.js"></script>'),
        "/app.js": Route(f'var k="{key}";'.encode(), content_type="text/javascript"),
    }
    with serve(routes) as site:
        refused = keyguard("sweep", "--url", site.base + "/", cwd=tmp_path)
        proc = keyguard(
            "sweep",
            "--url",
            site.base + "/",
            "--allow-private",
            "--format",
            "json",
            "-o",
            "report.json",
            cwd=tmp_path,
        )
    assert refused.returncode == 3
    assert "--allow-private" in refused.stdout
    assert key not in refused.stdout + refused.stderr
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == ""  # the report went to the file, nothing else was written
    report = json.loads((tmp_path / "report.json").read_text())
    [finding] = report["findings"]
    assert finding["occurrences"][0]["path"] == site.base + "/app.js"
    assert key not in (tmp_path / "report.json").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_url_and_warc_are_exclusive_and_take_no_targets(tmp_path: Path) -> None:
    (tmp_path / "c.warc").write_bytes(b"")
    both = keyguard("sweep", "--url", "http://127.0.0.1:9/", "--warc", "c.warc", cwd=tmp_path)
    assert both.returncode == 2
    assert "exactly one of --url and --warc" in both.stderr
    targets = keyguard("sweep", "--warc", "c.warc", ".", cwd=tmp_path)
    assert targets.returncode == 2
    assert "take no TARGETS" in targets.stderr


def test_scan_archive_limits(tmp_path: Path) -> None:
    key = make_key("cmd-limits")
    (tmp_path / "app.apk").write_bytes(zip_of({"lib/x.jar": zip_of({"a.js": key.encode()})}))
    deep = keyguard("scan", "--format", "json", ".", cwd=tmp_path)
    shallow = keyguard("scan", "--format", "json", "--max-depth", "1", ".", cwd=tmp_path)
    assert deep.returncode == 1
    assert json.loads(deep.stdout)["findings"][0]["occurrences"][0]["path"] == (
        "app.apk!/lib/x.jar!/a.js"
    )
    assert shallow.returncode == 3
    assert "deeper than 1" in json.loads(shallow.stdout)["errors"][0]["message"]


def test_site_warc(tmp_path: Path) -> None:
    key = make_key("cmd-warc")
    body = f'var k="{key}";'.encode()
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/javascript\r\n\r\n" + body
    record = (
        b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://shop.example/a.js\r\n"
        b"Content-Type: application/http; msgtype=response\r\n"
        + f"Content-Length: {len(http)}\r\n\r\n".encode()
        + http
        + b"\r\n\r\n"
    )
    (tmp_path / "crawl.warc").write_bytes(record)
    proc = keyguard("sweep", "--warc", "crawl.warc", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    [finding] = json.loads(proc.stdout)["findings"]
    assert finding["occurrences"][0]["path"] == "https://shop.example/a.js"


def test_sweep_archive_limits_reach_history(tmp_path: Path) -> None:
    key = make_key("cmd-sweep-limits")
    repo = tmp_path / "repo"
    repo.mkdir()
    for args in (
        ["init", "-q", "-b", "main"],
        ["config", "user.email", "t@example.com"],
        ["config", "user.name", "t"],
    ):
        subprocess.run(["git", "-C", str(repo), *args], check=True)
    (repo / "app.apk").write_bytes(zip_of({"lib/x.jar": zip_of({"a.js": key.encode()})}))
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(repo), "commit", "-q", "-m", "x"], check=True)
    deep = keyguard("sweep", "--format", "json", "--no-worktree", ".", cwd=repo)
    shallow = keyguard(
        "sweep", "--format", "json", "--no-worktree", "--max-depth", "1", ".", cwd=repo
    )
    assert deep.returncode == 1, deep.stderr
    assert json.loads(deep.stdout)["findings"][0]["occurrences"][0]["path"] == (
        "app.apk!/lib/x.jar!/a.js"
    )
    assert shallow.returncode == 3, shallow.stderr
    assert "deeper than 1" in json.loads(shallow.stdout)["errors"][0]["message"]


def test_a_malformed_port_is_one_note_and_the_rest_is_crawled(tmp_path: Path) -> None:
    key = make_key("malformed-port")
    with serve({}) as site:
        bad = f"http://127.0.0.1:{site.port}:81"
        site.routes.update(
            {
                "/": Route(
                    f'<script src="{bad}/x.js"></script><script src="/r.js"></script>'
                    '<script src="/app.js"></script>'.encode()
                ),
                "/r.js": Route(status=302, headers={"location": f"{bad}/y.js"}),
                "/app.js": Route(f'var k="{key}";'.encode(), content_type="text/javascript"),
            }
        )
        proc = keyguard(
            "sweep", "--url", site.base + "/", "--allow-private", "--format", "json", cwd=tmp_path
        )
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    [finding] = report["findings"]
    assert finding["occurrences"][0]["path"] == site.base + "/app.js"
    # One note per bad URL: the script named with it, and the redirect that points at it.
    notes = {e["path"]: e["message"] for e in report["errors"]}
    assert notes.keys() == {f"{bad}/x.js", f"{site.base}/r.js"}, notes
    assert "invalid port" in notes[f"{bad}/x.js"]


def test_the_crawl_stays_on_its_origin_unless_host_port_is_allowed(tmp_path: Path) -> None:
    key = make_key("other-port")
    with serve({}) as other, serve({}) as site:
        other.routes["/x.js"] = Route(f'var k="{key}";'.encode(), content_type="text/javascript")
        site.routes["/"] = Route(f'<script src="{other.base}/x.js"></script>'.encode())
        args = ["sweep", "--url", site.base + "/", "--allow-private", "--format", "json"]
        kept = keyguard(*args, cwd=tmp_path)
        assert other.requested == []  # another service on the same host: not fetched
        allowed = keyguard(*args, "--allow-host", f"127.0.0.1:{other.port}", cwd=tmp_path)
        assert "/x.js" in other.requested
    assert kept.returncode == 3, kept.stderr
    [note] = json.loads(kept.stdout)["errors"]
    assert "not the site's origin" in note["message"]
    assert allowed.returncode == 1, allowed.stderr


def test_an_https_crawl_never_follows_plain_http() -> None:
    from scanner.sources.netpolicy import Policy, Refused, check, origin_of

    policy = Policy(origin_of("https://example.com/"), frozenset({"cdn.example.com"}))
    check("https://cdn.example.com/a.js", Policy(policy.origin, policy.allow_hosts, True))
    for url in ("http://example.com/a.js", "http://cdn.example.com/a.js"):
        with pytest.raises(Refused, match="not the site's origin"):
            check(url, policy)


def test_compression_bombs_stay_bounded_and_the_rest_is_crawled(tmp_path: Path) -> None:
    key = make_key("bomb-site")
    js = "text/javascript"
    with serve({}) as site:
        site.routes.update(
            {
                "/": Route(
                    b'<script src="/br.js"></script><script src="/gz.js"></script>'
                    b'<script src="/app.js"></script>'
                ),
                # 1 GiB in about 2 KB, and 256 MiB in about 260 KB.
                "/br.js": Route(
                    brotli_bomb(1 << 30), content_type=js, headers={"content-encoding": "br"}
                ),
                "/gz.js": Route(
                    gzip_bomb(256 << 20), content_type=js, headers={"content-encoding": "gzip"}
                ),
                "/app.js": Route(f'var k="{key}";'.encode(), content_type=js),
            }
        )
        out, err = tmp_path / "out.json", tmp_path / "err.txt"
        args = ["sweep", "--url", site.base + "/", "--allow-private", "--format", "json"]
        with out.open("wb") as stdout, err.open("wb") as stderr:
            child = subprocess.Popen(
                [sys.executable, "-m", "keyguard.main", *args],
                cwd=tmp_path,
                stdout=stdout,
                stderr=stderr,
                env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
            )
            # The rusage of this one child: its peak resident set, in KiB on Linux.
            _, status, usage = os.wait4(child.pid, 0)
            child.returncode = os.waitstatus_to_exitcode(status)
    assert child.returncode == 1, err.read_text()
    assert usage.ru_maxrss < 300 * 1024, f"peak RSS {usage.ru_maxrss} KiB"
    report = json.loads(out.read_text())
    [finding] = report["findings"]
    assert finding["occurrences"][0]["path"] == site.base + "/app.js"
    notes = {e["path"]: e["message"] for e in report["errors"]}
    cap = 64 << 20
    for name in ("br.js", "gz.js"):
        assert notes[f"{site.base}/{name}"].startswith(f"response larger than {cap} bytes"), notes
