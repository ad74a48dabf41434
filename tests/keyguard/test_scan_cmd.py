"""``keyguard scan`` driven as a user drives it: the real entry point, its exit code and output."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

from tests.support.archives import cut_tgz, zip_of
from tests.support.git import git, git_env, init_repo
from tests.support.in_process import run_keyguard_in_process
from tests.support.keys import make_key
from tests.support.report_schema import check_report


def keyguard(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return run_keyguard_in_process(
        args,
        cwd=cwd,
        stdin=stdin,
        env={**git_env(), "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )


def test_clean_tree_exits_zero(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("print('hello')\n")
    proc = keyguard("scan", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "0 Klaviyo private keys" in proc.stdout


def test_json_report_groups_per_key_and_redacts(tmp_path: Path) -> None:
    key, other = make_key("json"), make_key("json-other", prefixed=True)
    (tmp_path / "a.js").write_text(f'fetch("/x?api_key={key}")\n')
    (tmp_path / "b.html").write_text(f'<div data-k="{key}"></div>\n<p>{other}</p>\n')
    proc = keyguard("scan", "--format", "json", ".", cwd=tmp_path)
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    assert report["errors"] == []
    by_redacted = {f["redacted"]: f for f in report["findings"]}
    assert set(by_redacted) == {"pk_…" + key[-4:], "pk_…" + other[-4:]}
    first = by_redacted["pk_…" + key[-4:]]
    assert first["type"] == "Klaviyo Private API Key"
    assert [(o["path"], o["line"], o["column"]) for o in first["occurrences"]] == [
        ("a.js", 1, 19),
        ("b.html", 1, 14),
    ]
    assert key not in proc.stdout
    assert other not in proc.stdout
    assert key not in proc.stderr


def test_show_secrets_prints_whole_keys_only_when_asked(tmp_path: Path) -> None:
    key = make_key("show")
    (tmp_path / "a.txt").write_text(key)
    assert key not in keyguard("scan", cwd=tmp_path).stdout
    assert key in keyguard("scan", "--show-secrets", cwd=tmp_path).stdout


def test_unreadable_target_without_findings_exits_three(tmp_path: Path) -> None:
    (tmp_path / "ok.txt").write_text("nothing here\n")
    proc = keyguard("scan", "--format", "json", "ok.txt", "missing.txt", cwd=tmp_path)
    assert proc.returncode == 3
    assert json.loads(proc.stdout)["errors"] == [
        {"path": "missing.txt", "message": "no such file or directory"}
    ]


def test_findings_win_over_unreadable_targets(tmp_path: Path) -> None:
    (tmp_path / "k.txt").write_text(make_key("wins"))
    assert keyguard("scan", "k.txt", "missing.txt", cwd=tmp_path).returncode == 1


def test_staged_outside_a_repository_is_a_one_line_usage_error(tmp_path: Path) -> None:
    proc = keyguard("scan", "--staged", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1
    assert "not a git work tree" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_bad_baseline_is_a_configuration_error(tmp_path: Path) -> None:
    (tmp_path / "baseline.json").write_text("{not json")
    proc = keyguard("scan", "--baseline", "baseline.json", cwd=tmp_path)
    assert proc.returncode == 2
    assert "baseline" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_output_file_holds_the_report_and_stdout_stays_empty(tmp_path: Path) -> None:
    key = make_key("outfile")
    (tmp_path / "a.txt").write_text(key)
    proc = keyguard("scan", "--format", "json", "-o", "report.json", "a.txt", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stdout == ""
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["findings"][0]["fingerprint"] == hashlib.sha256(key.encode()).hexdigest()


def test_staged_cli_reports_index_paths(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    key = make_key("cli-staged")
    (repo / "app.py").write_text(f"k = '{key}'\n")
    git(repo, "add", "app.py")
    proc = keyguard("scan", "--staged", "--format", "json", cwd=repo)
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["findings"][0]["occurrences"][0]["path"] == "app.py"


def test_staged_scans_the_index_under_the_path_named_and_help_says_so(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    key = make_key("staged-scope")
    (repo / "sub").mkdir()
    (repo / "sub" / "a.txt").write_text("clean\n")
    (repo / "top.env").write_text(f"K={key}\n")
    git(repo, "add", "sub/a.txt", "top.env")
    assert keyguard("scan", "--staged", "sub", cwd=repo).returncode == 0
    proc = keyguard("scan", "--staged", cwd=repo)
    assert proc.returncode == 1, proc.stderr
    assert "top.env:1:3" in proc.stdout
    shown = keyguard("scan", "--help", cwd=repo).stdout
    assert "under PATH, a repository or a directory or file in one" in " ".join(shown.split())


def test_sarif_and_jsonl_reports_of_a_scan(tmp_path: Path) -> None:
    import jsonschema

    key = make_key("scan-sarif")
    (tmp_path / "app.js").write_text(f'const k = "{key}";\n')
    proc = keyguard("scan", "--format", "sarif", ".", cwd=tmp_path)
    assert proc.returncode == 1
    document = json.loads(proc.stdout)
    schema_path = Path(__file__).parents[1] / "scanner" / "data" / "sarif-schema-2.1.0.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    jsonschema.validate(document, schema, cls=jsonschema.Draft4Validator)
    (result,) = document["runs"][0]["results"]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (1, 12)
    fingerprint = hashlib.sha256(key.encode()).hexdigest()
    assert fingerprint in json.dumps(result["partialFingerprints"])
    assert key not in proc.stdout
    lines = keyguard("scan", "--format", "jsonl", ".", cwd=tmp_path).stdout.splitlines()
    assert [json.loads(line)["path"] for line in lines] == ["app.js"]


def test_a_key_in_a_file_name_is_redacted_in_the_baseline_and_every_format(
    tmp_path: Path,
) -> None:
    from tests.support.archives import zip_of

    key = make_key("named after a key")
    (tmp_path / "app.apk").write_bytes(zip_of({f"conf/{key}.txt": f"K={key}\n".encode()}))
    (tmp_path / f"{key}.env").write_text(f"K={key}\n")

    written = keyguard("scan", "--update-baseline", ".secrets.baseline", ".", cwd=tmp_path)
    assert written.returncode == 1, written.stderr
    text = (tmp_path / ".secrets.baseline").read_text()
    names = set(json.loads(text)["results"])
    assert names == {f"app.apk!/conf/pk_…{key[-4:]}.txt", f"pk_…{key[-4:]}.env"}
    assert key not in text
    for fmt in ("console", "json", "sarif", "jsonl"):
        proc = keyguard("scan", "--format", fmt, ".", cwd=tmp_path)
        assert proc.returncode == 1, (fmt, proc.stderr)
        assert key not in proc.stdout + proc.stderr, fmt
    hook = subprocess.run(
        [sys.executable, "-m", "keyguard.hook", "app.apk", f"{key}.env"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**git_env(), "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        check=False,
    )
    assert hook.returncode == 1, hook.stderr
    assert f"pk_…{key[-4:]}.env" in hook.stdout
    assert key not in hook.stdout + hook.stderr
    sarif = json.loads(keyguard("scan", "--format", "sarif", ".", cwd=tmp_path).stdout)
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in sarif["runs"][0]["results"]
    }
    assert f"pk_%E2%80%A6{key[-4:]}.env" in uris  # a valid URI: the ellipsis percent-encoded


def test_dash_scans_standard_input(tmp_path: Path) -> None:
    (tmp_path / "decoy.env").write_text(f"K={make_key('not-read')}\n")
    key = make_key("from-stdin")
    proc = keyguard("scan", "-", "--format", "json", cwd=tmp_path, stdin=f"line one\nK={key}\n")
    assert proc.returncode == 1, proc.stderr
    (finding,) = json.loads(proc.stdout)["findings"]
    assert finding["fingerprint"] == hashlib.sha256(key.encode()).hexdigest()
    assert [(o["path"], o["line"]) for o in finding["occurrences"]] == [("-", 2)]
    clean = keyguard("scan", "-", cwd=tmp_path, stdin="nothing here\n")
    assert clean.returncode == 0, clean.stdout
    mixed = keyguard("scan", "-", "decoy.env", cwd=tmp_path, stdin="")
    assert mixed.returncode == 2


def test_files_skipped_by_gitignore_are_counted(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "shop")
    (repo / ".gitignore").write_text("*.log\nnode_modules/\n")
    (repo / "app.py").write_text("print('clean')\n")
    (repo / "debug.log").write_text(f"K={make_key('ignored-log')}\n")
    (repo / "node_modules" / "pkg").mkdir(parents=True)
    (repo / "node_modules" / "pkg" / "index.js").write_text("x\n")
    proc = keyguard("scan", ".", cwd=repo)
    assert proc.returncode == 0, proc.stdout
    assert "2 ignored by .gitignore" in proc.stdout  # debug.log, node_modules/ (once)
    stats = json.loads(keyguard("scan", ".", "--format", "json", cwd=repo).stdout)["stats"]
    assert stats["skipped_gitignored"] == 2
    assert stats["files"] == 2  # app.py and .gitignore


def test_a_note_repeated_for_many_files_is_counted_not_repeated(tmp_path: Path) -> None:
    for i in range(20):
        (tmp_path / f"bundle{i:02}.zip").write_bytes(zip_of({"a.txt": b"clean\n"}))
    proc = keyguard("scan", ".", "--max-depth", "0", cwd=tmp_path)
    notes = [line for line in proc.stdout.splitlines() if "nested deeper" in line]
    assert len(notes) == 4, proc.stdout
    assert notes[-1].startswith("could not read 17 more places: archive nested deeper")
    report = json.loads(
        keyguard("scan", ".", "--max-depth", "0", "--format", "json", cwd=tmp_path).stdout
    )
    assert len(report["errors"]) == 20  # machines still get every one


def test_exclude_takes_gitignore_patterns(tmp_path: Path) -> None:
    keys = {name: make_key(f"exclude-{name}") for name in ("dist", "min", "kept", "src")}
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "app.js").write_text(f"k='{keys['dist']}'\n")
    (tmp_path / "vendor.min.js").write_text(f"k='{keys['min']}'\n")
    (tmp_path / "keep.min.js").write_text(f"k='{keys['kept']}'\n")
    (tmp_path / "settings.py").write_text(f"K = '{keys['src']}'\n")
    args = ["--exclude", "dist/", "--exclude", "*.min.js", "--exclude", "!keep.min.js"]
    proc = keyguard("scan", ".", *args, "--format", "json", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    found = {f["fingerprint"] for f in json.loads(proc.stdout)["findings"]}
    assert found == {hashlib.sha256(keys[n].encode()).hexdigest() for n in ("kept", "src")}


def test_a_report_of_many_keys_is_written_compact_and_whole(tmp_path: Path) -> None:
    keys = [make_key(f"many-{i}") for i in range(1001)]
    (tmp_path / "many.js").write_text("".join(f'k = "{key}";\n' for key in keys))
    proc = keyguard("scan", "--format", "json", ".", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.count("\n") == 1  # the C encoder's compact form, not indented
    assert len(json.loads(proc.stdout)["findings"]) == len(keys)


def test_a_damaged_file_is_a_warning_and_an_unread_one_exits_three(tmp_path: Path) -> None:
    key = make_key("scan-cut-tgz")
    (tmp_path / "cut.tgz").write_bytes(
        cut_tgz({"package/.env": f"KEY={key}\n".encode(), "package/rand": b"r" * 3000})
    )
    proc = keyguard("scan", "--format", "json", "cut.tgz", cwd=tmp_path)
    assert proc.returncode == 1  # the key before the cut was read
    report = check_report(proc.stdout)
    assert [o["path"] for f in report["findings"] for o in f["occurrences"]] == [
        "cut.tgz!/package/.env"
    ]
    assert report["errors"] == []
    assert [w["path"] for w in report["warnings"]] == ["cut.tgz"]
    (tmp_path / "cut.tgz").write_bytes(cut_tgz({"a.txt": b"a", "rand": b"r" * 3000}))
    console = keyguard("scan", "cut.tgz", cwd=tmp_path)
    assert console.returncode == 0, console.stdout
    assert "note: cut.tgz: truncated gzip stream; scanned the " in console.stdout
    (tmp_path / "bomb.zip").write_bytes(zip_of({"zeros.bin": b"\0" * (64 << 20)}))
    both = keyguard("scan", "--format", "json", ".", cwd=tmp_path)
    assert both.returncode == 3
    report = check_report(both.stdout)
    assert [e["path"] for e in report["errors"]] == ["bomb.zip"]
    assert [w["path"] for w in report["warnings"]] == ["cut.tgz"]
