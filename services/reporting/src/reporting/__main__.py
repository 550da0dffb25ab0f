"""``python -m reporting``: see ``reporting.entrypoints.cli``."""

from reporting.entrypoints.cli import app

app()
