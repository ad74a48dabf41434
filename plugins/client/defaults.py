"""Klaviyo API defaults, importable without httpx (see :mod:`plugins.client.api`)."""

from __future__ import annotations

DEFAULT_BASE_URL = "https://a.klaviyo.com"
#: The current stable revision (checked against Klaviyo's changelog: see REVISION_CHECKED).
#: Klaviyo serves a retired revision as the next live one without a word, so an old
#: default hides drift: keep this current, and docs/verification.md with it.
DEFAULT_REVISION = "2026-10-15"
#: When DEFAULT_REVISION was last checked to be Klaviyo's current stable revision.
REVISION_CHECKED = "2026-12-02"
#: Beta endpoints (the API-keys ones) answer only to a ``.pre`` revision.
BETA_REVISION = DEFAULT_REVISION + ".pre"
#: The environment variable that overrides the base URL (as ``--klaviyo-url`` does).
ENV_URL = "KEYGUARD_KLAVIYO_URL"

#: Verification: measured 1,000 keys in ~10 s at the limit (benchmarks/verify_throughput.py).
DEFAULT_CONCURRENCY = 8
DEFAULT_BUDGET = 300.0  # seconds for a whole run's verification
#: Klaviyo's burst window in seconds (its steady one is a minute); both count per account.
BURST_WINDOW = 1.0
