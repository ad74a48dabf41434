from __future__ import annotations

import os

pytest_plugins = [
    "tests.support.klaviyo",
    "tests.support.openbao",
    "tests.support.pre_commit",
    "tests.support.forge",
]


def pytest_configure(config: object) -> None:
    """No test may reach the real Klaviyo API: the detect-secrets plugin verifies by default,
    so turn its network verification off for every test (and the CLIs they start) unless a
    test turns it back on against the stand-in."""
    os.environ["KEYGUARD_VERIFY"] = "off"
