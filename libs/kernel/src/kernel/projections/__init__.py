"""Read models updated with their checkpoints in one transaction, and rebuilt without downtime."""

from kernel.projections.local import LocalProjector
from kernel.projections.projection import (
    REBUILD_SUFFIX,
    Projection,
    ProjectionHandler,
    Statement,
    StatementsFor,
    create_tables,
    execute_statements,
    one_statement,
    physical_tables,
)
from kernel.projections.rebuild import RebuildResult, rebuild

__all__ = [
    "REBUILD_SUFFIX",
    "LocalProjector",
    "Projection",
    "ProjectionHandler",
    "RebuildResult",
    "Statement",
    "StatementsFor",
    "create_tables",
    "execute_statements",
    "one_statement",
    "physical_tables",
    "rebuild",
]
