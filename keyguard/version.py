"""The installed version of keyguard, for reports that name their tool."""

from __future__ import annotations


def tool_version() -> str:
    # Imported here: importlib.metadata costs every command a fifth of its start-up.
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("klaviyo-keyguard")
    except PackageNotFoundError:  # run from a checkout without installing
        return "0+unknown"
