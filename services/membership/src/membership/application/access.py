"""Who may read and change which board's part of the register.

The kernel's board-scoped rules (``kernel.access``): a health board reads and changes only its
own board's bodies, the national programme reads everything. Membership adds: operators seed
and reshape the register, and only boards and operators register organisations and people.
"""

from __future__ import annotations

from kernel import access


class Caller(access.Caller):
    __slots__ = ()

    def require_writer(self) -> None:
        """Raise ``PermissionDenied`` unless the caller registers anything at all (a board, ops)."""
        self.require_role("operator", "health_board")

    def require_operator(self) -> None:
        self.require_role("operator")
