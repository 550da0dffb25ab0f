"""Human-readable progress on stderr.

Everything meant for people goes to stderr so that stdout stays machine-readable: ``./dev env``
prints ``export`` lines on stdout for ``eval "$(./dev env)"``.
"""

from __future__ import annotations

import typer


def say(message: str) -> None:
    """Report progress."""
    typer.secho(f"clwstwr: {message}", err=True)


def note(message: str) -> None:
    """Report something the reader should notice, such as a fallback that was taken."""
    typer.secho(f"clwstwr: {message}", err=True, fg=typer.colors.YELLOW)


def ok(message: str) -> None:
    """Report success."""
    typer.secho(f"clwstwr: {message}", err=True, fg=typer.colors.GREEN)


def problem(message: str) -> None:
    """Report a failure."""
    typer.secho(f"clwstwr: {message}", err=True, fg=typer.colors.RED, bold=True)
