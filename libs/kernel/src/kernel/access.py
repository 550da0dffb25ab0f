"""Who may act on which health board's data: the board-scoped rules every service shares.

Pure (no I/O), so a service's application layer checks its callers without a server: a
health board reads and changes only its own board's data, the national programme reads
everything, operators may read and repair. A service adds its own rules on top (who seeds,
who assigns outcomes) by calling ``require_role`` or subclassing.
"""

from __future__ import annotations

from dataclasses import dataclass

from kernel.errors import PermissionDenied


@dataclass(frozen=True, slots=True)
class Caller:
    """The caller as the rules see it: a subject, a role and, for a board, its ODS code."""

    subject: str
    role: str
    board: str | None = None

    def board_filter(self, requested: str | None) -> str | None:
        """The board a list may show: a board sees only its own, whatever it asks for.

        Raises:
            PermissionDenied: a board asked for another board, or the role reads nothing.
        """
        if self.role in ("national", "operator"):
            return requested
        if self.role == "health_board" and requested in (None, self.board):
            return self.board
        raise PermissionDenied(f"{self.subject!r} may not read {requested or 'every board'}")

    def require_reader(self) -> None:
        """Raise ``PermissionDenied`` unless the caller may read anything at all."""
        self.board_filter(self.board)

    def require_read(self, board: str) -> None:
        """Raise ``PermissionDenied`` unless the caller may read ``board``'s data."""
        self.board_filter(board)

    def require_change(self, board: str) -> None:
        """Raise ``PermissionDenied`` unless the caller may change ``board``'s data.

        The board itself may, and operators (to repair); the national programme only reads.
        """
        if self.role == "operator" or (self.role == "health_board" and self.board == board):
            return
        raise PermissionDenied(f"{self.subject!r} may not change {board}'s data")

    def require_board(self, board: str) -> None:
        """Raise ``PermissionDenied`` unless the caller is ``board`` itself."""
        if self.role == "health_board" and self.board == board:
            return
        raise PermissionDenied(f"{self.subject!r} may not act for {board}")

    def require_role(self, *roles: str) -> None:
        """Raise ``PermissionDenied`` unless the caller has one of ``roles``."""
        if self.role not in roles:
            raise PermissionDenied(f"{self.subject!r} ({self.role}) may not do this")
