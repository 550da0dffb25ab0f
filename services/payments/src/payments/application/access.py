"""Payments' own rule on top of the kernel's board-scoped ``Caller``: schedule signatories.

A health board reads and acts on its own board's payments and the national programme reads
all of Wales and publishes rate cards (``kernel.access``). Approving a schedule also needs
the caller to be one of the board's authorised signatories (Standing Financial Instructions):
the kernel's principal carries no such attribute, so the signatories are configuration.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kernel.access import Caller
from kernel.errors import PermissionDenied


def require_signatory(caller: Caller, board: str, signatories: Mapping[str, Sequence[str]]) -> None:
    """Raise ``PermissionDenied`` unless ``caller`` is ``board`` and one of its signatories."""
    caller.require_board(board)
    if caller.subject not in signatories.get(board, ()):
        raise PermissionDenied(f"{caller.subject!r} is not an authorised signatory of {board}")
