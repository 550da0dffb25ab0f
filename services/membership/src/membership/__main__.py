"""``python -m membership``: see ``membership.entrypoints.cli``."""

from membership.entrypoints.cli import app

app()
