"""Giving git the token without writing it anywhere: an ``http.<url>.extraHeader`` passed
in the environment (``GIT_CONFIG_COUNT`` / ``GIT_CONFIG_KEY_n`` / ``GIT_CONFIG_VALUE_n``).

The header is scoped to the repository's own clone URL, so git sends it to that
repository only (not to a redirect's target, another host or a submodule). Nothing of it
reaches argv, a remote URL, ``.git/config`` or the clone cache; the environment of a
process is readable only by its user, as a credential helper's memory would be. Every
message that git writes goes through :func:`redact` before anyone sees it.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping

from scanner.remote.endpoints import Token
from scanner.remote.targets import Forge, without_credentials


def auth_environment(
    base: Mapping[str, str], url: str, token: Token | None, forge: Forge | None
) -> dict[str, str]:
    """*base* plus what makes git send *token* to *url* (and never prompt for anything)."""
    env = dict(base)
    env["GIT_TERMINAL_PROMPT"] = "0"  # a refused token is an error, not a password prompt
    env.setdefault("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")
    env.pop("GIT_ASKPASS", None)
    env.pop("SSH_ASKPASS", None)
    if token is None or forge is None or not url.lower().startswith(("https://", "http://")):
        return env
    try:
        count = int(env.get("GIT_CONFIG_COUNT", "0"))
    except ValueError:
        count = 0
    # After the caller's own entries, which stay as they were.
    env[f"GIT_CONFIG_KEY_{count}"] = f"http.{url}.extraHeader"
    env[f"GIT_CONFIG_VALUE_{count}"] = f"Authorization: {token.basic_auth(forge)}"
    env["GIT_CONFIG_COUNT"] = str(count + 1)
    return env


def secret_forms(token: Token | None) -> tuple[str, ...]:
    """Every spelling of *token* that git or a server might echo."""
    if token is None:
        return ()
    forms = [token.value]
    for forge in Forge:
        header = token.basic_auth(forge)
        forms.append(header.removeprefix("Basic "))
    forms.append(base64.b64encode(token.value.encode()).decode("ascii"))
    return tuple(forms)


def redact(text: str, secrets: Iterable[str]) -> str:
    """*text* without any of *secrets* and without credentials in any URL."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return without_credentials(text)
