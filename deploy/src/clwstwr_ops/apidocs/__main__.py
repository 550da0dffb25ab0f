"""``python -m clwstwr_ops.apidocs [--check]``: write ``docs/``, or fail if it is stale."""

from __future__ import annotations

import sys
from pathlib import Path

from clwstwr_ops.apidocs.generate import stale, write


def main(argv: list[str]) -> int:
    root = Path.cwd()
    if argv == ["--check"]:
        if outdated := stale(root):
            names = ", ".join(str(p) for p in outdated)
            print(f"stale API references: {names}; run ./dev docs", file=sys.stderr)  # noqa: T201
            return 1
        return 0
    if argv:
        print("usage: python -m clwstwr_ops.apidocs [--check]", file=sys.stderr)  # noqa: T201
        return 2
    for path in write(root):
        print(f"wrote {path}", file=sys.stderr)  # noqa: T201
    return 0


sys.exit(main(sys.argv[1:]))
