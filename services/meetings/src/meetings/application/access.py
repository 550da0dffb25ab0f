"""Who may read and record which board's meetings.

The rules are here, not in the gRPC layer, so they are tested without a server: a health
board reads and records only its own board's bodies' meetings, the national programme reads
everything, operators may do both (to repair a record).
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
        """Raise ``PermissionDenied`` unless the caller may read the meetings at all."""
        self.board_filter(self.board)

    def require_read(self, board: str) -> None:
        """Raise ``PermissionDenied`` unless the caller may read ``board``'s bodies."""
        self.board_filter(board)

    def require_change(self, board: str) -> None:
        """Raise ``PermissionDenied`` unless the caller may change ``board``'s bodies."""
        if self.role == "operator" or (self.role == "health_board" and self.board == board):
            return
        raise PermissionDenied(f"{self.subject!r} may not change {board}'s meetings")
