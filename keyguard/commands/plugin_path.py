"""``keyguard plugin-path``: the detect-secrets plugin file of this installation."""

from __future__ import annotations

import importlib.util

import click

from plugins.errors import KeyguardError


@click.command("plugin-path")
def plugin_path() -> int:
    """Print the path of the plugin file for `detect-secrets scan --plugin`.

    It is the file this keyguard imports, whatever else is named `plugins` on the path
    (`python -c 'import plugins'` finds the current directory's package first).
    """
    spec = importlib.util.find_spec("plugins.klaviyo")  # located, not imported: no cost
    if spec is None or spec.origin is None:
        raise KeyguardError("this keyguard installation has no plugins/klaviyo.py")
    click.echo(spec.origin)
    return 0
