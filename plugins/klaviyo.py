"""The detect-secrets plugin for Klaviyo private API keys.

Use it with detect-secrets itself::

    detect-secrets scan --plugin path/to/plugins/klaviyo.py

detect-secrets loads a ``--plugin`` file as a parentless module named after the file
(``klaviyo``), so this module cannot use relative imports, and ``import plugins.pattern``
only works when klaviyo-keyguard is installed. The pattern module always ships next to
this file, so a file-path load reads it from there instead.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from detect_secrets.constants import VerifiedResult
from detect_secrets.plugins.base import RegexBasedDetector

#: The name a path-loaded pattern module is registered under. Private, so it can never
#: shadow (or be shadowed by) somebody else's top-level ``plugins`` package.
_SIBLING_NAME = "_klaviyo_keyguard_pattern"


def _load_pattern() -> ModuleType:
    if __package__:  # imported normally, as ``plugins.klaviyo``
        return importlib.import_module(f"{__package__}.pattern")
    if _SIBLING_NAME in sys.modules:  # detect-secrets re-executes this file on every lookup
        return sys.modules[_SIBLING_NAME]
    path = Path(__file__).resolve().with_name("pattern.py")
    spec = importlib.util.spec_from_file_location(_SIBLING_NAME, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the Klaviyo key pattern from {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[_SIBLING_NAME] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[_SIBLING_NAME]
        raise
    return module


pattern = _load_pattern()


class KlaviyoDetector(RegexBasedDetector):
    """Klaviyo private API keys: ``pk_`` + 34 hex, or ``pk_`` + 6 alphanumerics + ``_`` + 34 hex.

    The pattern has no capturing groups (detect-secrets reports each group as a secret)
    and checks boundaries itself, so Stripe/Clerk ``pk_live_``, ClickUp and TypeORM
    look-alikes never match.
    """

    secret_type = pattern.SECRET_TYPE
    denylist = (pattern.KEY_RE,)

    def verify(self, secret: str) -> VerifiedResult:
        """Ask Klaviyo (or the URL in ``KEYGUARD_KLAVIYO_URL``) whether *secret* is live.

        Live or scope-limited keys are VERIFIED_TRUE, invalid or disabled keys
        VERIFIED_FALSE, anything that could not be told UNVERIFIED. httpx is imported only
        here, so a scan without verification never pays for it. In ``detect-secrets-hook``
        it is UNVERIFIED without a request unless ``KEYGUARD_VERIFY=1``, and then bounded
        by one deadline for the whole run.
        """
        verifier = _load_verifier()
        if verifier is None:
            return VerifiedResult.UNVERIFIED
        result: VerifiedResult = verifier.verify(secret)
        return result


def _load_verifier() -> ModuleType | None:
    """keyguard's verifier module, when keyguard's own ``plugins`` package can be imported.

    Loaded by file path from a checkout, the package is found by appending the checkout
    to ``sys.path`` (appending never shadows an installed package). A different package
    that happens to be called ``plugins`` is detected and left alone.
    """
    if __package__:
        return importlib.import_module(f"{__package__}.detector_verify")
    here = Path(__file__).resolve().parent
    if importlib.util.find_spec("plugins") is None:
        sys.path.append(str(here.parent))
    try:
        module = importlib.import_module("plugins.detector_verify")
    except ImportError:
        return None
    return module if hasattr(module, "verify") else None
