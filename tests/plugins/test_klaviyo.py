"""The detect-secrets plugin, in process and through the real ``detect-secrets`` CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import plugins.klaviyo
from plugins.klaviyo import KlaviyoDetector
from plugins.pattern import SECRET_TYPE, baseline_hash
from scanner.stores import baseline
from tests.support.detect_secrets_cli import (
    PLUGIN_FILE,
    git_repo,
    our_results,
    run_detect_secrets,
    scan_to_baseline,
)
from tests.support.keyguard_cli import run_keyguard
from tests.support.keys import hex_run, make_key


def test_the_plugin_is_data_on_top_of_the_pattern_module() -> None:
    assert KlaviyoDetector.secret_type == SECRET_TYPE == "Klaviyo Private API Key"
    # Baselines name the plugin by class and file; scanner/stores/baseline.py writes both.
    assert KlaviyoDetector.__name__ == baseline.PLUGIN_NAME
    assert Path(plugins.klaviyo.__file__).resolve() == baseline.PLUGIN_FILE
    key, prefixed = make_key("in process"), make_key("in process p", prefixed=True)
    line = f"a = '{key}'; b = '{prefixed}'; c = 'pk_live_{hex_run('stripe', 34)}'"
    found = KlaviyoDetector().analyze_line(filename="app.py", line=line, line_number=7)
    assert {(s.secret_value, s.line_number, s.type) for s in found} == {
        (key, 7, SECRET_TYPE),
        (prefixed, 7, SECRET_TYPE),
    }


def test_detect_secrets_scan_finds_keys_and_records_the_plugin(tmp_path: Path) -> None:
    key, prefixed = make_key("ds scan"), make_key("ds scan prefixed", prefixed=True)
    repo = git_repo(
        tmp_path / "repo",
        {
            "settings.py": f'KLAVIYO_KEY = "{key}"\n',
            "config/app.json": json.dumps({"klaviyo": {"key": prefixed}}, indent=2) + "\n",
            ".env": f"KLAVIYO_PRIVATE_KEY={key}\n",
            "notes.txt": f"stripe: pk_test_{hex_run('stripe', 34)}\n",
        },
    )
    baseline = scan_to_baseline(repo)

    assert {
        (r["filename"], r["line_number"], r["hashed_secret"]) for r in our_results(baseline)
    } == {
        ("settings.py", 1, baseline_hash(key)),
        ("config/app.json", 3, baseline_hash(prefixed)),
        (".env", 1, baseline_hash(key)),
    }
    assert {"name": "KlaviyoDetector", "path": PLUGIN_FILE.as_uri()} in baseline["plugins_used"]
    text = (repo / ".secrets.baseline").read_text()
    assert key not in text
    assert prefixed not in text


def test_detect_secrets_loads_a_bare_copy_of_the_plugin_file(tmp_path: Path) -> None:
    # A team vendors the two files into tools/ (no package, keyguard not importable):
    # the plugin must find its pattern next to itself.
    vendor = tmp_path / "repo" / "tools"
    vendor.mkdir(parents=True)
    shutil.copy(PLUGIN_FILE, vendor / "klaviyo.py")
    shutil.copy(PLUGIN_FILE.with_name("pattern.py"), vendor / "pattern.py")
    key = make_key("vendored")
    repo = git_repo(tmp_path / "repo", {"app.js": f'const k = "{key}";\n'})

    proc = run_detect_secrets("scan", "--plugin", "tools/klaviyo.py", cwd=repo)

    assert proc.returncode == 0, proc.stderr
    baseline = json.loads(proc.stdout)
    assert [r["hashed_secret"] for r in our_results(baseline)] == [baseline_hash(key)]
    assert {"name": "KlaviyoDetector", "path": (vendor / "klaviyo.py").as_uri()} in baseline[
        "plugins_used"
    ]


def test_a_path_loaded_plugin_does_not_need_the_plugins_package(tmp_path: Path) -> None:
    vendor = tmp_path / "vendor"
    vendor.mkdir()
    for name in ("klaviyo.py", "pattern.py"):
        shutil.copy(PLUGIN_FILE.with_name(name), vendor / name)
    code = (
        "import sys\n"
        "from detect_secrets.util.importlib import import_file_as_module\n"
        "module = import_file_as_module(sys.argv[1])\n"
        "assert 'plugins' not in sys.modules, 'imported the plugins package'\n"
        "print(module.KlaviyoDetector.secret_type)\n"
    )
    # -I: no cwd, no PYTHONPATH on sys.path, exactly like a bare console script.
    proc = subprocess.run(
        [sys.executable, "-I", "-c", code, str(vendor / "klaviyo.py")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == SECRET_TYPE


def test_detect_secrets_hides_an_indirect_reference_that_our_pattern_finds(tmp_path: Path) -> None:
    # detect-secrets' is_indirect_reference filter drops this line, a common way to pass a
    # key to the Klaviyo SDK; keyguard's own scans must not rely on detect-secrets for it.
    key = make_key("indirect")
    line = f'client = KlaviyoAPI(api_key="{key}")\n'
    repo = git_repo(tmp_path / "repo", {"client.py": line})

    assert our_results(scan_to_baseline(repo)) == []
    assert [s.secret_value for s in KlaviyoDetector().analyze_line("client.py", line, 1)] == [key]
    ours = run_keyguard("scan", "--format", "json", "client.py", cwd=repo)
    assert ours.returncode == 1, ours.stderr
    (finding,) = json.loads(ours.stdout)["findings"]
    assert [(o["path"], o["line"], o["column"]) for o in finding["occurrences"]] == [
        ("client.py", 1, 30)
    ]
