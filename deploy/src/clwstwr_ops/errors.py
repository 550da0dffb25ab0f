"""The one error type the CLI turns into a clean message and a non-zero exit."""

from __future__ import annotations


class OpsError(RuntimeError):
    """Provisioning or running the platform failed in a way the user can act on."""
