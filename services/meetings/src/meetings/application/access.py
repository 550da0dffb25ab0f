"""Who may read and record which board's meetings: the kernel's board-scoped rules.

A health board reads and records only its own board's bodies' meetings, the national programme
reads everything, operators may do both (to repair a record). See ``kernel.access``.
"""

from __future__ import annotations

from kernel.access import Caller

__all__ = ["Caller"]
