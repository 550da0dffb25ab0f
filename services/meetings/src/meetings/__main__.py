"""``python -m meetings``: serve the meetings API until SIGINT or SIGTERM."""

from kernel.runtime import run
from meetings.bootstrap import definition
from meetings.settings import MeetingsSettings

settings = MeetingsSettings()
run(definition(settings.membership_source), settings)
