"""Running external commands, optionally as another account.

Every command of the provisioning runs through :func:`run`, so failures always carry the
command's own output: a bare exit status is useless when ``initdb`` or ``apt-get`` fails on a
machine we have never seen.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from clwstwr_ops.errors import OpsError

if TYPE_CHECKING:
    from clwstwr_ops.accounts import Account


def run(
    argv: Sequence[str | Path],
    *,
    as_account: Account | None = None,
    env: Mapping[str, str] | None = None,
    check: bool = True,
    quiet: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` to completion and return it; raise :class:`OpsError` if it fails.

    With ``quiet`` the output is captured and shown only on failure. With ``as_account`` the
    command runs as that account with only its own groups, from ``/`` (the caller's working
    directory may be one that account cannot enter, such as ``/root``).
    """
    args = [str(a) for a in argv]
    other = as_account if as_account is not None and as_account.uid != os.geteuid() else None
    try:
        completed = _run(args, other, env, quiet=quiet)
    except OSError as error:  # the program is missing or not executable
        raise OpsError(f"cannot run {args[0]}: {error.strerror or error}") from None
    if check and completed.returncode != 0:
        output = ((completed.stdout or "") + (completed.stderr or "")).strip()
        raise OpsError(
            f"command failed (exit {completed.returncode}): {' '.join(args)}"
            + (f"\n{output}" if output else "")
        )
    return completed


def _run(
    args: list[str], account: Account | None, env: Mapping[str, str] | None, *, quiet: bool
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - argv is built by this package, never from input
        args,
        env=None if env is None else dict(env),
        check=False,
        text=True,
        capture_output=quiet,
        stdin=subprocess.DEVNULL,
        cwd=None if account is None else "/",
        user=None if account is None else account.uid,
        group=None if account is None else account.gid,
        extra_groups=None if account is None else [],
    )
