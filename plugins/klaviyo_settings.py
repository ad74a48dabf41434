"""Where keyguard finds Klaviyo, and which API revision it asks for.

Apart from the HTTP client on purpose: the command line reads these defaults for its
option help without importing httpx.
"""

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
