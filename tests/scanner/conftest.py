from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.bundles import esbuild_binary


@pytest.fixture(scope="session")
def esbuild_exe(request: pytest.FixtureRequest) -> Path:
    # CI runs pytest with the cache plugin off: keep the install under .pytest_cache anyway.
    cache = getattr(request.config, "cache", None)
    if cache is not None:
        return esbuild_binary(Path(cache.mkdir("esbuild-npm")))
    folder = Path(request.config.rootpath) / ".pytest_cache" / "d" / "esbuild-npm"
    folder.mkdir(parents=True, exist_ok=True)
    return esbuild_binary(folder)
