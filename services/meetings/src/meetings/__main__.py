"""``python -m meetings``: serve the meetings API until SIGINT or SIGTERM."""

from kernel.runtime import run
from meetings.bootstrap import configured

run(*configured())
