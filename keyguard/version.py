"""The installed version of keyguard, for reports that name their tool."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def tool_version() -> str:
    try:
        return version("klaviyo-keyguard")
    except PackageNotFoundError:  # run from a checkout without installing
        return "0+unknown"
