"""The outcome catalogue: the title of each of the 20 outcomes, loaded and corrected by operators.

One aggregate for Wales (stream ``outcome-catalogue-wales``): titles are few and change rarely,
and one stream gives every correction a single, ordered history. Loading is idempotent: only
titles that differ from the current ones are recorded, so reloading a corrected file records
just the corrections.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from typing_extensions import override

from kernel.aggregate import Aggregate
from reporting.domain.events import CatalogueEvent, OutcomeTitleSet
from reporting.domain.vocabulary import check, framework_of, outcome_problem, text_problem

CATALOGUE_ID = "wales"
TITLE_LIMIT = 300


@dataclass(frozen=True, slots=True)
class OutcomeTitle:
    """A title for an outcome code; ``placeholder`` marks a stand-in for the official title."""

    code: str
    title: str
    placeholder: bool = False


def check_titles(titles: Sequence[OutcomeTitle]) -> None:
    """Raise ``ValidationFailed`` naming every unknown or repeated code and every bad title."""
    seen: set[str] = set()
    problems: list[tuple[str, str | None]] = [
        ("titles", "is required: at least one outcome title" if not titles else None)
    ]
    for n, entry in enumerate(titles):
        repeated = f"{entry.code} is given twice" if entry.code in seen else None
        seen.add(entry.code)
        problems.append((f"titles[{n}].code", outcome_problem(entry.code) or repeated))
        problems.append((f"titles[{n}].title", text_problem(entry.title, TITLE_LIMIT)))
    check(*problems)


class OutcomeCatalogue(Aggregate[CatalogueEvent]):
    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.titles: dict[str, OutcomeTitle] = {}

    def set_titles(self, titles: Sequence[OutcomeTitle], reason: str) -> int:
        """Record each title that differs from the current one; return how many changed."""
        check_titles(titles)
        check(("reason", text_problem(reason, TITLE_LIMIT)))
        wanted = [_normalised(t) for t in titles]
        changed = [t for t in wanted if self.titles.get(t.code) != t]
        for entry in changed:
            self._record(
                OutcomeTitleSet(
                    code=entry.code,
                    framework=framework_of(entry.code).value,
                    title=entry.title,
                    placeholder=entry.placeholder,
                    reason=reason.strip(),
                )
            )
        return len(changed)

    @override
    def _apply(self, event: CatalogueEvent) -> None:
        self.titles[event.code] = OutcomeTitle(event.code, event.title, event.placeholder)


def _normalised(entry: OutcomeTitle) -> OutcomeTitle:
    return OutcomeTitle(entry.code, entry.title.strip(), entry.placeholder)
