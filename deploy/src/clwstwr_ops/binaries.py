"""Finding the PostgreSQL and Redis server programs, installing them when absent.

Debian keeps the PostgreSQL server programs off ``PATH`` (under ``/usr/lib/postgresql/<N>/bin``),
so ``PATH`` alone is not enough; other setups (Homebrew-style, source builds) put them on it.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from clwstwr_ops import apt
from clwstwr_ops.errors import OpsError

DEBIAN_POSTGRES_ROOT = Path("/usr/lib/postgresql")
_SYSTEM_DIRS = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"


@dataclass(frozen=True, slots=True)
class PostgresBinaries:
    """One PostgreSQL installation: the server programs share a directory, psql may not."""

    bindir: Path
    psql: Path

    @property
    def initdb(self) -> Path:
        return self.bindir / "initdb"

    @property
    def pg_ctl(self) -> Path:
        return self.bindir / "pg_ctl"


def _search_path(path: str | None) -> str:
    """``path`` if given, else ``PATH`` plus the system directories an ordinary user may lack."""
    if path is not None:
        return path
    current = os.environ.get("PATH", "")
    return f"{current}{os.pathsep}{_SYSTEM_DIRS}" if current else _SYSTEM_DIRS


def _is_server_bindir(directory: Path) -> bool:
    return all((directory / name).is_file() for name in ("initdb", "pg_ctl", "postgres"))


def _version_key(directory: Path) -> tuple[int, ...]:
    """Sort key for ``/usr/lib/postgresql/<version>``: ``16`` > ``15`` > ``9.6``."""
    try:
        return tuple(int(part) for part in directory.name.split("."))
    except ValueError:
        return (-1,)


def postgres_bindir_candidates(
    path: str | None = None, debian_root: Path = DEBIAN_POSTGRES_ROOT
) -> list[Path]:
    """Where PostgreSQL server programs may live, best first: ``PATH``, then Debian's, newest first.

    Symlinks are resolved so that ``/usr/local/bin/pg_ctl -> /usr/lib/postgresql/15/bin/pg_ctl``
    leads to the real directory, where ``psql`` and friends are found too.
    """
    found: list[Path] = []
    on_path = shutil.which("pg_ctl", path=_search_path(path))
    if on_path is not None:
        found.append(Path(on_path).resolve().parent)
    if debian_root.is_dir():
        versions = sorted(debian_root.iterdir(), key=_version_key, reverse=True)
        found.extend(version / "bin" for version in versions if _version_key(version) != (-1,))
    return found


def find_postgres(
    path: str | None = None, debian_root: Path = DEBIAN_POSTGRES_ROOT
) -> PostgresBinaries | None:
    """The first complete PostgreSQL installation, or None."""
    for bindir in postgres_bindir_candidates(path, debian_root):
        if not _is_server_bindir(bindir):
            continue
        psql = bindir / "psql"
        if not psql.is_file():
            on_path = shutil.which("psql", path=_search_path(path))
            if on_path is None:
                continue
            psql = Path(on_path)
        return PostgresBinaries(bindir=bindir, psql=psql)
    return None


def find_redis(path: str | None = None) -> Path | None:
    found = shutil.which("redis-server", path=_search_path(path))
    return None if found is None else Path(found)


def ensure_postgres() -> PostgresBinaries:
    """Find PostgreSQL, installing Debian's ``postgresql`` package when it is missing."""
    found = find_postgres()
    if found is None:
        apt.install(["postgresql"])
        found = find_postgres()
    if found is None:
        raise OpsError("PostgreSQL server programs (initdb, pg_ctl, postgres) not found")
    return found


def ensure_redis() -> Path:
    """Find redis-server, installing Debian's ``redis-server`` package when it is missing."""
    found = find_redis()
    if found is None:
        apt.install(["redis-server"])
        found = find_redis()
    if found is None:
        raise OpsError("redis-server not found")
    return found
