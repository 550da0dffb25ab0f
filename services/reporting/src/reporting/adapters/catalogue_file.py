"""The outcome catalogue shipped with the service (``catalogue/outcomes.json``)."""

from __future__ import annotations

import json
from importlib import resources

from reporting.domain.catalogue import OutcomeTitle


def shipped_titles() -> list[OutcomeTitle]:
    """The shipped titles (placeholders until the official ones are known: see SOURCE.md)."""
    text = (resources.files("reporting.adapters") / "catalogue" / "outcomes.json").read_text(
        "utf-8"
    )
    return [
        OutcomeTitle(entry["code"], entry["title"], bool(entry["placeholder"]))
        for entry in json.loads(text)["outcomes"]
    ]
