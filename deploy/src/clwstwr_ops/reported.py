"""The wrapper every ``clwstwr-ops`` command runs in: a message, not a traceback, on errors."""

from __future__ import annotations

import functools
import signal
from collections.abc import Callable
from types import FrameType
from typing import ParamSpec, TypeVar

import typer

from clwstwr_ops import console
from clwstwr_ops.errors import OpsError

P = ParamSpec("P")
R = TypeVar("R")


def reported(command: Callable[P, R]) -> Callable[P, R]:
    """Exit cleanly, with a message rather than a traceback, on errors and interruptions.

    SIGTERM (a CI job cancelled, ``kill``) is turned into an exception like Ctrl-C's, so the
    ``finally`` blocks that stop the servers run in both cases.
    """

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        signal.signal(signal.SIGTERM, _raise_interrupt)
        try:
            return command(*args, **kwargs)
        except OpsError as error:
            console.problem(str(error))
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            console.problem("interrupted")
            raise typer.Exit(130) from None

    return wrapper


def _raise_interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt
