"""A person: the minimum personal data the platform needs (a name; a role title and contact)."""

from __future__ import annotations

from typing_extensions import override

from kernel.aggregate import Aggregate
from kernel.errors import NotFound
from membership.domain.people_events import PersonErased, PersonEvent, PersonRegistered
from membership.domain.register import check, name_problem


def optional_text_problem(text: str | None) -> str | None:
    """Why an optional text (a role title, a contact) cannot be stored, or None."""
    return None if text is None else name_problem(text)


class Person(Aggregate[PersonEvent]):
    """A person who sits on bodies (stream ``person-<id>``; the id is the server's).

    It keeps only whether the person exists and is erased: their personal fields live in the
    (sealed) events and the read model, never in an aggregate a repository may cache.
    """

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.erased = False

    def register(
        self, person_id: str, name: str, role_title: str | None, contact: str | None
    ) -> None:
        """Register the person; a repeat (a retried command) does nothing."""
        check(
            ("name", name_problem(name)),
            ("role_title", optional_text_problem(role_title)),
            ("contact", optional_text_problem(contact)),
        )
        if self.exists:
            return
        self._record(
            PersonRegistered(person_id=person_id, name=name, role_title=role_title, contact=contact)
        )

    def erase(self, person_id: str) -> None:
        """Erase the person's personal fields; erasing again (a retry) does nothing.

        Raises:
            NotFound: no such person.
        """
        if not self.exists:
            raise NotFound(f"no person {person_id!r}")
        if not self.erased:
            self._record(PersonErased(person_id=person_id))

    @override
    def _apply(self, event: PersonEvent) -> None:
        if isinstance(event, PersonErased):
            self.erased = True
