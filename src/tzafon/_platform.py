"""The `X-Stainless-*` platform headers, computed once per process on first use."""

from __future__ import annotations

import sys
import platform
import functools
from typing import Dict

from ._version import __version__


def _os_name() -> str:
    system = platform.system().lower()
    if sys.platform == "ios" or system == "ios":
        return "iOS"
    if hasattr(sys, "getandroidapilevel") or system == "android":
        return "Android"
    if system == "darwin":
        return "MacOS"
    if system == "windows":
        return "Windows"
    if system == "freebsd":
        return "FreeBSD"
    if system == "openbsd":
        return "OpenBSD"
    if system == "linux":
        # Some BSD userlands report "linux" under emulation; the distribution id tells them apart.
        import distro

        distro_id = distro.id()
        if distro_id == "freebsd":
            return "FreeBSD"
        if distro_id == "openbsd":
            return "OpenBSD"
        return "Linux"
    return f"Other:{system}" if system else "Unknown"


def _arch() -> str:
    machine = platform.machine().lower()
    if machine in ("arm64", "aarch64"):
        return "arm64"
    if machine in ("arm", "armv7l"):
        return "arm"
    if machine in ("x86_64", "amd64"):
        return "x64"
    if sys.maxsize <= 2**32:
        return "x32"
    return f"other:{machine}" if machine else "unknown"


@functools.cache
def platform_headers() -> Dict[str, str]:
    """Headers describing this runtime; identical for every request of the process."""
    return {
        "X-Stainless-Lang": "python",
        "X-Stainless-Package-Version": __version__,
        "X-Stainless-OS": _os_name(),
        "X-Stainless-Arch": _arch(),
        "X-Stainless-Runtime": platform.python_implementation(),
        "X-Stainless-Runtime-Version": platform.python_version(),
    }


def async_library() -> str:
    """Name of the running async library (asyncio, trio...) for `X-Stainless-Async`."""
    try:
        import sniffio

        return sniffio.current_async_library()
    except Exception:
        return "asyncio"
