"""Command-line options shared by every command that talks to Klaviyo, and their wiring."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

if TYPE_CHECKING:
    from plugins.client.api import KlaviyoClient
    from plugins.client.bulk_verify import Verifier

from plugins.client.defaults import (
    DEFAULT_BASE_URL,
    DEFAULT_BUDGET,
    DEFAULT_CONCURRENCY,
    DEFAULT_REVISION,
    ENV_URL,
)
from scanner.findings import Finding

F = TypeVar("F", bound=Callable[..., object])


def klaviyo_url_options(f: F) -> F:
    """``--klaviyo-url`` (or ``KEYGUARD_KLAVIYO_URL``), ``--klaviyo-revision``, a timeout."""
    f = click.option(
        "--klaviyo-timeout",
        type=click.FloatRange(min=0.05),
        default=10.0,
        show_default=True,
        help="Seconds to wait for each Klaviyo answer.",
    )(f)
    f = click.option(
        "--klaviyo-revision",
        default=DEFAULT_REVISION,
        show_default=True,
        help="Klaviyo API revision header to send.",
    )(f)
    f = click.option(
        "--klaviyo-url",
        envvar=ENV_URL,
        default=DEFAULT_BASE_URL,
        show_default=True,
        help=f"Klaviyo API base URL (also {ENV_URL}); point it at a stand-in to rehearse.",
    )(f)
    return f


def verifier_options(f: F) -> F:
    """How hard to push when verifying many keys."""
    f = click.option(
        "--verify-budget",
        type=click.FloatRange(min=0.1),
        default=DEFAULT_BUDGET,
        show_default=True,
        help="Seconds the whole run may spend verifying; keys left over are 'unknown'.",
    )(f)
    f = click.option(
        "--verify-concurrency",
        type=click.IntRange(1, 32),
        default=DEFAULT_CONCURRENCY,
        show_default=True,
        help="Requests to Klaviyo in flight at once.",
    )(f)
    return f


def open_client(url: str, revision: str, timeout: float = 10.0) -> KlaviyoClient:
    # Imported here: httpx costs a scan that verifies nothing a tenth of a second.
    from plugins.client.api import KlaviyoClient

    return KlaviyoClient(url, revision=revision, timeout=timeout)


def make_verifier(client: KlaviyoClient, concurrency: int, budget: float) -> Verifier:
    from plugins.client.bulk_verify import Verifier  # with the client: only when verifying

    return Verifier(client, concurrency=concurrency, budget=budget)


@dataclass(frozen=True)
class Verification:
    """What ``--verify`` / ``--only-live`` and the Klaviyo options asked for."""

    only_live: bool
    url: str
    revision: str
    timeout: float
    concurrency: int
    budget: float

    def apply(self, findings: Sequence[Finding]) -> tuple[Finding, ...]:
        """Findings with status and account, live first; no request when there are none."""
        if not findings:
            return tuple(findings)
        from scanner.verify_findings import verify_findings

        with open_client(self.url, self.revision, self.timeout) as client:
            verifier = make_verifier(client, self.concurrency, self.budget)
            return verify_findings(findings, verifier, only_live=self.only_live)


def verification_options(f: F) -> F:
    """``--verify``, ``--only-live`` and the Klaviyo options, handed to the command as one
    ``verification: Verification | None`` (None: verification was not asked for)."""

    @functools.wraps(f)
    def wrapper(
        *args: Any,
        verify: bool,
        only_live: bool,
        klaviyo_url: str,
        klaviyo_revision: str,
        klaviyo_timeout: float,
        verify_concurrency: int,
        verify_budget: float,
        **kwargs: Any,
    ) -> Any:
        asked = verify or only_live
        verification = (
            Verification(
                only_live,
                klaviyo_url,
                klaviyo_revision,
                klaviyo_timeout,
                verify_concurrency,
                verify_budget,
            )
            if asked
            else None
        )
        return f(*args, verification=verification, **kwargs)

    decorated: Any = verifier_options(klaviyo_url_options(wrapper))
    decorated = click.option(
        "--only-live",
        is_flag=True,
        help="Keep only live and limited keys (implies --verify; exit 0 when none is live).",
    )(decorated)
    decorated = click.option(
        "--verify",
        is_flag=True,
        help="Ask Klaviyo whether each key is live: one GET /api/accounts per distinct key "
        "in the whole run.",
    )(decorated)
    return cast(F, decorated)
