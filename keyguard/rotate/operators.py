"""The human side of a rotation: prompts on a terminal, or flags and stdin in automation."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import click
from rich.console import Console
from rich.markup import escape

from keyguard.rehearsal.rotation import Rehearsal
from keyguard.rotate.checklist import create_link, render
from plugins.pattern import Secret
from rotator.config import Target
from rotator.integrations import Integration
from rotator.journal import Journal
from rotator.operator import SOAK, OldKey


class FlagOperator:
    """Non-interactive: never prompts. The key comes from stdin or a descriptor, lazily,
    so a rotation already past that step does not wait on input it will not use."""

    def __init__(
        self,
        read_key: Callable[[], str | None] | None,
        *,
        confirmed: frozenset[str],
        revoked: bool,
        sleep: Callable[[float], None] = time.sleep,
        notify: Callable[[dict[str, object]], None] | None = None,
    ) -> None:
        self._read_key = read_key
        self._confirmed = confirmed
        self._revoked = revoked
        self._sleep = sleep
        self._notify = notify

    def new_key(self, journal: Journal) -> Secret | None:
        return self._take_key()

    def unused_key(self) -> Secret | None:
        """The key given for this run when the rotation never asked for it (it was past
        that step already); None when none was given or it was used."""
        return self._take_key()

    def _take_key(self) -> Secret | None:
        if self._read_key is None:
            return None
        text = self._read_key()
        self._read_key = None  # read once: a second call must not block on an empty stdin
        return Secret(text.strip()) if text and text.strip() else None

    def confirm_integration(self, step: Integration, journal: Journal) -> bool:
        return step.name in self._confirmed

    def confirm_revoked(self, journal: Journal, old: OldKey) -> bool:
        return self._revoked

    def wait(self, seconds: float, journal: Journal) -> None:
        self._sleep(seconds)

    def waiting(self, why: str, seconds: float, journal: Journal) -> None:
        if self._notify is not None:
            self._notify(
                {
                    "event": "waiting",
                    "why": why,
                    "seconds": round(seconds, 1),
                    "rotation_id": journal.rotation_id,
                    "state": journal.state.value,
                }
            )


class PromptOperator:
    """Interactive: shows the checklist and asks; the key is read at a hidden prompt."""

    def __init__(
        self,
        console: Console,
        target: Target,
        *,
        revoked: bool = False,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._console = console
        self._target = target
        self._revoked = revoked
        self._sleep = sleep
        self._shown = False  # the checklist, once before the integration questions

    def new_key(self, journal: Journal) -> Secret | None:
        self._console.print(render(self._target, journal))
        self._console.print(
            f"\nIn Klaviyo: Settings -> API Keys -> Create Private API Key (or Clone the "
            f"current key). Name it [bold]{journal.key_label}[/bold].\n"
            f"Direct link with the scopes: {create_link(self._target)}\n"
        )
        text = click.prompt(
            "Paste the new private key (input hidden; empty to stop here)",
            hide_input=True,
            default="",
            show_default=False,
            err=True,
        )
        return Secret(text.strip()) if text.strip() else None

    def confirm_integration(self, step: Integration, journal: Journal) -> bool:
        if not self._shown:
            # A resumed run starts here: show where the rotation stands before asking.
            self._shown = True
            self._console.print(render(self._target, journal))
        what = step.description or "make it use the new key"
        version = f" (Vault version {journal.new_version})" if journal.new_version else ""
        return click.confirm(
            f"Integration '{step.name}': {what}{version}. Does it use the new key now?",
            default=False,
            err=True,
        )

    def confirm_revoked(self, journal: Journal, old: OldKey) -> bool:
        if self._revoked:
            return True
        self._console.print(render(self._target, journal))
        self._console.print(
            "\nThe new key is in Vault and the integrations use it. Now disable the OLD key:\n"
            f"Klaviyo -> Settings -> API Keys -> [bold]{escape(old.describe())}[/bold] "
            f"(not the one named '{escape(journal.key_label or '')}') -> Disable.\n"
        )
        return click.confirm("Have you disabled the old key?", default=False, err=True)

    def wait(self, seconds: float, journal: Journal) -> None:
        # A countdown, one second at a time: a bare spinner looked like a hang.
        end = time.monotonic() + seconds
        with self._console.status("Soak") as status:
            while (left := end - time.monotonic()) > 0:
                status.update(f"Soak: {math.ceil(left)}s left before the old key may be disabled")
                self._sleep(min(1.0, left))

    def waiting(self, why: str, seconds: float, journal: Journal) -> None:
        # A line per pause too, for terminals where the live status does not draw.
        if why == SOAK:
            until = (datetime.now() + timedelta(seconds=seconds)).strftime("%H:%M:%S")
            text = f"Soak: waiting {math.ceil(seconds)}s (until {until}) before the old key may go."
        else:
            text = f"Klaviyo still accepts the old key; asking again in {math.ceil(seconds)}s."
        self._console.print(text, style="dim")


class RehearsalOperator:
    """Plays the human's part against the stand-in, pausing on a terminal so people can follow."""

    def __init__(self, world: Rehearsal, console: Console, *, pause: bool) -> None:
        self._world = world
        self._console = console
        self._pause = pause

    def _step(self, text: str) -> None:
        self._console.print(f"[cyan](rehearsal)[/cyan] {text}")
        if self._pause:
            click.prompt("Press Enter to go on", default="", show_default=False, err=True)

    def new_key(self, journal: Journal) -> Secret | None:
        self._step(
            f"Now you would create a key named '{journal.key_label}' in Klaviyo and paste it; "
            "the stand-in made one for you."
        )
        return self._world.new_key

    def confirm_integration(self, step: Integration, journal: Journal) -> bool:
        self._step(f"Integration '{step.name}' confirmed.")
        return True

    def confirm_revoked(self, journal: Journal, old: OldKey) -> bool:
        self._step(
            f"Now you would disable the OLD key ({old.describe()}) in Klaviyo; "
            "the stand-in does it."
        )
        self._world.disable_old_key()
        return True

    def wait(self, seconds: float, journal: Journal) -> None:
        time.sleep(seconds)

    def waiting(self, why: str, seconds: float, journal: Journal) -> None:
        self._console.print(f"[cyan](rehearsal)[/cyan] waiting {seconds:.1f}s ({why})")
