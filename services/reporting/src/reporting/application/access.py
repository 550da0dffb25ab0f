"""Who may do what in reporting.

Kept out of the gRPC layer so the rules are tested without a server. A health board acts on
its own board's clusters; the national programme assigns outcomes, may record peer reviews
(its representative guides them) and reads all of Wales; operators load the outcome catalogue.
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

    def require_read(self, board: str) -> None:
        """Raise ``PermissionDenied`` unless the caller may read ``board``'s reports."""
        self.board_filter(board)

    def require_board(self, board: str) -> None:
        """Raise ``PermissionDenied`` unless the caller is ``board`` itself."""
        if self.role == "health_board" and self.board == board:
            return
        raise PermissionDenied(f"{self.subject!r} may not act for {board}'s clusters")

    def require_board_or_national(self, board: str) -> None:
        if self.role != "national":
            self.require_board(board)

    def require_national(self) -> None:
        if self.role != "national":
            raise PermissionDenied(f"{self.subject!r} ({self.role}) is not the national programme")

    def require_operator(self) -> None:
        if self.role != "operator":
            raise PermissionDenied(f"{self.subject!r} ({self.role}) may not do this")
