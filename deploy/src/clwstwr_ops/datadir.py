"""Choosing data directories the database servers can actually reach.

When we are root, PostgreSQL runs as the unprivileged ``clwstwr`` account, which must be able to
enter every directory on the way to its data. Checkouts under ``/root`` or in a ``mktemp -d``
directory (mode 0700) are not enterable by it. We never loosen the permissions of the user's own
directories to fix that; the data goes to ``/var/tmp/clwstwr-<hash>`` instead, and we say so.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from clwstwr_ops.accounts import Account
from clwstwr_ops.errors import OpsError

SHARED_TMP = Path("/var/tmp")  # noqa: S108 - a fallback parent; our directories in it are private
"""World-enterable (sticky, mode 1777) on every Debian/Ubuntu, and survives reboots."""

_OURS = 0o711
"""Mode for directories we create: enterable by the server account, not listable by others."""


@dataclass(frozen=True, slots=True)
class DataDir:
    """Where an instance keeps its files, and, when it is not where one would expect, why."""

    path: Path
    fallback_reason: str | None = None


def may_enter(mode: int, owner: int, group: int, account: Account) -> bool:
    """Whether ``account`` has search (x) permission on a directory with these attributes."""
    if account.is_root:
        return True
    if owner == account.uid:
        return bool(mode & stat.S_IXUSR)
    if group in account.groups:
        return bool(mode & stat.S_IXGRP)
    return bool(mode & stat.S_IXOTH)


def is_reachable(path: Path, account: Account) -> bool:
    """Whether ``account`` can reach ``path``: it may enter every existing directory on the way.

    A part of ``path`` that does not exist yet will be created by us, enterable, so only the
    existing ancestors matter.
    """
    for directory in (path, *path.parents):
        try:
            info = directory.stat()
        except FileNotFoundError:
            continue
        if not may_enter(info.st_mode, info.st_uid, info.st_gid, account):
            return False
    return True


def fallback_dir(project_root: Path) -> Path:
    """A stable per-checkout directory under /var/tmp, so a second start finds the same data."""
    digest = hashlib.sha256(str(project_root).encode()).hexdigest()[:10]
    return SHARED_TMP / f"clwstwr-{digest}"


def dev_data_dir(project_root: Path, configured: Path | None, account: Account) -> DataDir:
    """The persistent data directory of ``./dev start``.

    ``CLWSTWR_DATA_DIR`` wins when set (and must be reachable: we do not second-guess an
    explicit choice); otherwise ``<project>/.data``, or the /var/tmp fallback when the checkout
    is not reachable by the server account.
    """
    if configured is not None:
        if not is_reachable(configured, account):
            raise OpsError(
                f"CLWSTWR_DATA_DIR={configured} is not reachable by user {account.name!r},"
                " which runs PostgreSQL: choose a directory under /var/tmp or /srv"
            )
        return DataDir(configured)
    preferred = project_root / ".data"
    if is_reachable(preferred, account):
        return DataDir(preferred)
    return DataDir(
        fallback_dir(project_root),
        fallback_reason=(
            f"{project_root} is not reachable by user {account.name!r} (which runs PostgreSQL,"
            " since PostgreSQL refuses root); its permissions are left as they are"
        ),
    )


def make_dir(path: Path, owner: Account | None = None) -> Path:
    """Create ``path`` (enterable by the server account) and optionally hand it to ``owner``.

    Only directories this function creates are chmod-ed or chown-ed; a directory that exists
    already keeps its permissions.
    """
    if not path.exists():
        path.mkdir(parents=True, mode=_OURS)
        path.chmod(_OURS)  # mkdir's mode is filtered by the umask, which may be 077
    if owner is not None:
        hand_over(path, owner)
    return path


def hand_over(path: Path, owner: Account) -> None:
    """Make ``owner`` the owner of a file or directory we created (only possible as root)."""
    if os.geteuid() == 0 and path.stat().st_uid != owner.uid:
        os.chown(path, owner.uid, owner.gid)


def temp_data_dir(prefix: str, account: Account) -> DataDir:
    """A fresh directory for a throwaway instance, in the first temp dir ``account`` can reach."""
    default = Path(tempfile.gettempdir())
    parent = default if is_reachable(default, account) else SHARED_TMP
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    path.chmod(_OURS)
    reason = None if parent == default else f"{default} is not reachable by user {account.name!r}"
    return DataDir(path, fallback_reason=reason)
