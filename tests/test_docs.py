"""The reference docs stay true: every public type and export is listed in api.md."""

from __future__ import annotations

from pathlib import Path

import tzafon
import tzafon.types

API_MD = (Path(__file__).resolve().parent.parent / "api.md").read_text(encoding="utf-8")


def test_every_type_is_listed_in_api_md() -> None:
    missing = [name for name in tzafon.types.__all__ if f"`{name}`" not in API_MD]
    assert not missing, f"api.md does not list: {missing}"


def test_every_package_export_is_listed_in_api_md() -> None:
    skip = {"types", "__version__", "__title__", "NoneType", "Timeout", "RequestOptions"}
    missing = [name for name in tzafon.__all__ if name not in skip and name not in API_MD]
    assert not missing, f"api.md does not mention: {missing}"


def test_types_init_is_generated_from_modules() -> None:
    import sys
    import subprocess

    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, str(root / "scripts" / "gen_types_init.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
