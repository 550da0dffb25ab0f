"""``python -m payments``: see ``payments.entrypoints.cli``."""

from payments.entrypoints.cli import app

app()
