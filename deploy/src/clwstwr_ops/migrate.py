"""The hook that migrates the databases before anything uses them.

The kernel owns the migration runner (``python -m kernel.migrate``); until it exists, each
service migrates its own schema at startup, and this hook only says so.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Mapping

from clwstwr_ops import console
from clwstwr_ops.proc import run

RUNNER = "kernel.migrate"


def runner_exists() -> bool:
    try:
        return importlib.util.find_spec(RUNNER) is not None
    except ModuleNotFoundError:  # the parent package itself is missing
        return False


def migrate(env: Mapping[str, str]) -> None:
    if not runner_exists():
        console.say(f"no {RUNNER} yet: services migrate their own schemas when they start")
        return
    console.say(f"migrating ({RUNNER})")
    run([sys.executable, "-m", RUNNER], env=env, quiet=False)
