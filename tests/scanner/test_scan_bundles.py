"""``scan_paths`` over a build output: archives opened, maps followed, notes reported."""

from __future__ import annotations

import gzip
from pathlib import Path

import brotli

from scanner.findings import SourceLocation
from scanner.scan import scan_paths
from tests.support.archives import zip_of
from tests.support.bundles import map_bytes, minify
from tests.support.keys import make_key

KEY = make_key("scan-bundles")
CONFIG = f'export const cfg = {{\n  key: "{KEY}",\n}};\n'


def test_build_output_directory(tmp_path: Path) -> None:
    built = minify({"../src/config.js": CONFIG})
    dist = tmp_path / "dist"
    dist.mkdir()
    code = (built.bundle + "\n//# sourceMappingURL=app.js.map\n").encode()
    (dist / "app.js").write_bytes(code)
    (dist / "app.js.map").write_bytes(map_bytes(built.map))
    (dist / "app.js.gz").write_bytes(gzip.compress(code))
    (dist / "app.js.br").write_bytes(brotli.compress(code))
    (dist / "app.apk").write_bytes(zip_of({"assets/index.android.bundle": code}))
    (dist / "strings.txt").write_bytes(("k=" + KEY).encode("utf-16"))
    (dist / "evil.js").write_bytes(KEY.encode() + b"\n//# sourceMappingURL=/etc/passwd\n")
    result = scan_paths([tmp_path])
    [finding] = result.findings
    by_name = {Path(o.path).name: o for o in finding.occurrences}
    original = SourceLocation(str(tmp_path / "src" / "config.js"), 2, 9)
    assert set(by_name) == {
        "app.js",
        "app.js.map",
        "app.js.gz",
        "app.js.br",
        "index.android.bundle",
        "strings.txt",
        "evil.js",
    }
    for name in ("app.js", "app.js.map", "app.js.gz", "app.js.br"):
        assert by_name[name].original == original
    assert by_name["strings.txt"].encoding == "utf-16-le"
    assert by_name["evil.js"].original is None
    assert [e.message for e in result.errors] == [
        "sourceMappingURL is an absolute local path; not read"
    ]
    assert result.stats.skipped_binary == 0
