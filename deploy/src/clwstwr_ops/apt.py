"""Installing missing Debian packages (PostgreSQL, Redis, Node) the first time they are needed.

The newcomer's machine is a fresh Debian/Ubuntu with Python and nothing else, so ``./dev`` installs
what it lacks rather than asking people to follow a setup page. Installation goes through one
shell snippet run as root (directly, or through ``sudo`` for an ordinary user), so the same code
path serves CI containers and laptops.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence

from clwstwr_ops import console
from clwstwr_ops.errors import OpsError
from clwstwr_ops.proc import run

# A policy-rc.d that answers 101 ("action forbidden") stops the packages' maintainer scripts from
# starting the distro's own postgresql and redis-server services: we run private instances
# instead, and must not leave servers listening on 5432 and 6379 behind us. An existing
# policy-rc.d belongs to the machine and is left alone.
#
# Arguments: whether to update the package lists (1/0), the policy-rc.d path, the apt-get
# program, then the packages. Positional rather than environment, so they survive sudo.
INSTALL_SCRIPT = r"""
set -eu
update="$1" policy="$2" apt_get="$3"
shift 3
created=""
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod 755 "$policy"
    created=1
fi
trap 'if [ -n "$created" ]; then rm -f "$policy"; fi' EXIT
if [ "$update" = 1 ]; then "$apt_get" update -q; fi
DEBIAN_FRONTEND=noninteractive "$apt_get" install -y -q --no-install-recommends "$@"
"""
POLICY_RC = "/usr/sbin/policy-rc.d"

_state = {"updated": False}


def install(packages: Sequence[str]) -> None:
    """Install ``packages`` with apt-get, refreshing the package lists once per run."""
    if not packages:
        return
    apt_get = shutil.which("apt-get")
    if apt_get is None:
        raise OpsError(
            f"{', '.join(packages)} missing and this is not a Debian/Ubuntu machine (no apt-get):"
            " install them with your package manager, or set CLWSTWR_DATABASE_URL and"
            " CLWSTWR_REDIS_URL to servers of your own"
        )
    prefix = _privilege_prefix(packages)
    console.note(f"installing {' '.join(packages)} with apt-get (one-off; takes a minute)")
    update = "0" if _state["updated"] else "1"
    script = ["/bin/sh", "-c", INSTALL_SCRIPT, "install", update, POLICY_RC, apt_get, *packages]
    run([*prefix, *script], quiet=False)
    _state["updated"] = True


def _privilege_prefix(packages: Sequence[str]) -> list[str]:
    """``[]`` as root; ``sudo`` (which may ask for a password) for an ordinary user."""
    if os.geteuid() == 0:
        return []
    sudo = shutil.which("sudo")
    if sudo is None:
        raise OpsError(
            f"{', '.join(packages)} missing, and installing needs root: run"
            f" 'apt-get install {' '.join(packages)}' as root, then try again"
        )
    console.note("installing needs root: sudo may ask for your password")
    return [sudo]
