"""Who may do what in reporting, on top of the kernel's board-scoped rules (``kernel.access``).

A health board acts on its own board's clusters; the national programme assigns outcomes, may
record peer reviews (its representative guides them) and reads all of Wales; operators load
the outcome catalogue.
"""

from __future__ import annotations

from kernel import access


class Caller(access.Caller):
    __slots__ = ()

    def require_board_or_national(self, board: str) -> None:
        if self.role != "national":
            self.require_board(board)

    def require_national(self) -> None:
        self.require_role("national")

    def require_operator(self) -> None:
        self.require_role("operator")
