"""Who the database servers run as.

PostgreSQL refuses to run as root, and CI and fresh cloud machines very often are root. Rather
than fail there, the servers then run as an unprivileged system account created for the purpose.
As an ordinary user everything simply runs as that user.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
from dataclasses import dataclass

from clwstwr_ops.errors import OpsError
from clwstwr_ops.proc import run

SERVER_ACCOUNT = "clwstwr"
"""The system account PostgreSQL runs as when we are root."""


@dataclass(frozen=True, slots=True)
class Account:
    """A Unix account, with the groups that decide which directories it may enter."""

    name: str
    uid: int
    gid: int
    groups: frozenset[int]

    @property
    def is_root(self) -> bool:
        return self.uid == 0

    @classmethod
    def from_passwd(cls, entry: pwd.struct_passwd) -> Account:
        groups = frozenset(os.getgrouplist(entry.pw_name, entry.pw_gid))
        return cls(name=entry.pw_name, uid=entry.pw_uid, gid=entry.pw_gid, groups=groups)


def current_account() -> Account:
    """The account this process runs as (effective uid)."""
    return Account.from_passwd(pwd.getpwuid(os.geteuid()))


def server_account() -> Account:
    """The account PostgreSQL runs as: ourselves, or a dedicated one when we are root."""
    me = current_account()
    if not me.is_root:
        return me
    return Account.from_passwd(_ensure_system_account(SERVER_ACCOUNT))


def _ensure_system_account(name: str) -> pwd.struct_passwd:
    """Create ``name`` as a login-less system account unless it exists.

    No home directory is created: the servers' data lives under the data directory we choose,
    and the account must never be usable for logging in.
    """
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    useradd = shutil.which("useradd", path="/usr/sbin:/sbin:/usr/bin:/bin")
    if useradd is None:
        raise OpsError(f"cannot create the system user {name!r}: useradd is missing") from None
    argv = [useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin"]
    if _group_exists(name):
        argv += ["--gid", name]
    run([*argv, name])
    return pwd.getpwnam(name)


def _group_exists(name: str) -> bool:
    try:
        grp.getgrnam(name)
    except KeyError:
        return False
    return True
