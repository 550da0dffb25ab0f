"""Which fields of which events are personal, and which events erase a person."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from kernel.aggregate import DomainEvent


@dataclass(frozen=True, slots=True)
class PersonalFields:
    """An event type's personal ``fields``, belonging to the id in its ``subject`` field."""

    subject: str
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PersonalDataPolicy:
    """Event type to its personal fields; event type to the field naming whom it erases."""

    sealed: Mapping[str, PersonalFields] = field(default_factory=dict)
    erasures: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, event_classes: Iterable[type[DomainEvent]]) -> PersonalDataPolicy:
        """The policy the events declare (``personal_data``, ``erases_personal_data_of``)."""
        sealed: dict[str, PersonalFields] = {}
        erasures: dict[str, str] = {}
        for event_class in event_classes:
            if event_class.personal_data:
                if not event_class.personal_data_of:
                    raise ValueError(f"{event_class.event_type}: personal_data_of is not set")
                sealed[event_class.event_type] = PersonalFields(
                    event_class.personal_data_of, event_class.personal_data
                )
            if event_class.erases_personal_data_of:
                erasures[event_class.event_type] = event_class.erases_personal_data_of
        return cls(sealed, erasures)

    def __bool__(self) -> bool:
        return bool(self.sealed or self.erasures)


NO_PERSONAL_DATA = PersonalDataPolicy()
