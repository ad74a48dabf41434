"""Command-line options shared by every command that talks to Klaviyo, and their wiring."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click

from plugins.klaviyo_api import DEFAULT_BASE_URL, DEFAULT_REVISION, ENV_URL, KlaviyoClient
from plugins.verification import DEFAULT_BUDGET, DEFAULT_CONCURRENCY, Verifier

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
    return KlaviyoClient(url, revision=revision, timeout=timeout)


def make_verifier(client: KlaviyoClient, concurrency: int, budget: float) -> Verifier:
    return Verifier(client, concurrency=concurrency, budget=budget)
