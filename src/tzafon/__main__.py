"""`python -m tzafon`: the `lightcone` command line."""

from __future__ import annotations

from .lib._cli import main

if __name__ == "__main__":
    raise SystemExit(main())
