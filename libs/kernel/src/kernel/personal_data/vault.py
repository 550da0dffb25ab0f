"""Where each person's key is kept, and forgotten."""

from __future__ import annotations

import abc
from collections.abc import Collection

from kernel.errors import RuleViolated
from kernel.personal_data.cipher import new_key


class PersonalDataErased(RuleViolated):
    """New personal data for someone whose data has been erased (``FAILED_PRECONDITION``)."""

    def __init__(self, subjects: Collection[str]) -> None:
        super().__init__(
            "PERSONAL_DATA_ERASED", f"personal data of {', '.join(sorted(subjects))} was erased"
        )


class KeyVault(abc.ABC):
    """One key per subject (a person's id); a forgotten key is gone for good."""

    @abc.abstractmethod
    async def keys_for(self, subjects: Collection[str]) -> dict[str, bytes]:
        """Every subject's key, made for those who have none yet.

        Raises:
            PersonalDataErased: a subject's key was forgotten (nothing is made then).
        """

    @abc.abstractmethod
    async def existing_keys(self, subjects: Collection[str]) -> dict[str, bytes]:
        """The keys that exist; a subject never keyed or forgotten is left out."""

    @abc.abstractmethod
    async def forget(self, subject: str) -> None:
        """Destroy the subject's key (also if it has none yet: none will ever be made)."""


class InMemoryKeyVault(KeyVault):
    """For unit tests; ``kernel.testing.key_vault_contract`` proves it acts as Postgres's."""

    def __init__(self) -> None:
        self._keys: dict[str, bytes | None] = {}

    async def keys_for(self, subjects: Collection[str]) -> dict[str, bytes]:
        erased = [s for s in subjects if s in self._keys and self._keys[s] is None]
        if erased:
            raise PersonalDataErased(erased)
        for subject in subjects:
            self._keys.setdefault(subject, new_key())
        return {s: k for s in subjects if (k := self._keys[s]) is not None}

    async def existing_keys(self, subjects: Collection[str]) -> dict[str, bytes]:
        return {s: k for s in subjects if (k := self._keys.get(s)) is not None}

    async def forget(self, subject: str) -> None:
        self._keys[subject] = None
