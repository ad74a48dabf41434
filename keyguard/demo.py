"""A built-in example to run keyguard on with no configuration: ``keyguard demo``.

Keys are generated on the spot (never stored anywhere but the temporary example), next to
decoys that look similar and must not match: Stripe keys, uppercase hex, wrong lengths.
"""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path


def _fake_key(rng: str, label: str) -> str:
    return "pk_" + hashlib.sha256(f"{rng}:{label}".encode()).hexdigest()[:34]


def build_example(root: Path) -> Path:
    """Write a small storefront-like project under *root* and return its directory."""
    rng = secrets.token_hex(8)
    leaked = _fake_key(rng, "storefront")
    other = _fake_key(rng, "newsletter")
    project = root / "storefront"
    (project / "src").mkdir(parents=True)
    (project / "dist").mkdir()
    (project / "src" / "klaviyo.js").write_text(
        "import { KlaviyoAPI } from './api';\n"
        f'export const client = new KlaviyoAPI({{ apiKey: "{leaked}" }});\n',
        encoding="utf-8",
    )
    (project / ".env").write_text(f"KLAVIYO_PRIVATE_KEY={other}\n", encoding="utf-8")
    bundle = "".join(f"function f{i}(a){{return a*{i}}};" for i in range(200))
    (project / "dist" / "app.min.js").write_text(
        bundle + f'var k="{leaked}";' + bundle + "\n", encoding="utf-8"
    )
    stripe_live = "pk_" + "live_" + secrets.token_hex(12)
    upper = "pk_" + hashlib.sha256(rng.encode()).hexdigest()[:34].upper()
    short = "pk_" + hashlib.sha256(rng.encode()).hexdigest()[:33]
    (project / "src" / "decoys.js").write_text(
        f'const stripe = "{stripe_live}";  // Stripe publishable key: not Klaviyo\n'
        f'const upper = "{upper}";  // uppercase hex: not a Klaviyo key\n'
        f'const short = "{short}";  // 33 hex digits: not a Klaviyo key\n'
        'const siteId = "AbC123";  // the public site id is safe to expose\n',
        encoding="utf-8",
    )
    return project
