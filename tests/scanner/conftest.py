from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.bundles import esbuild_binary


@pytest.fixture(scope="session")
def esbuild_exe(request: pytest.FixtureRequest) -> Path:
    return esbuild_binary(Path(request.config.cache.mkdir("esbuild-npm")))
