"""The contract every ``KeyVault`` keeps, as tests; subclass it with a ``vault`` fixture.

The same tests run against ``InMemoryKeyVault`` and ``PostgresKeyVault``.
"""

from __future__ import annotations

import asyncio

import pytest

from kernel.personal_data import KeyVault, PersonalDataErased


class KeyVaultContract:
    async def test_makes_one_key_per_subject_and_keeps_it(self, vault: KeyVault) -> None:
        first = await vault.keys_for(["ann", "bob"])
        again = await vault.keys_for(["bob", "ann", "cai"])
        assert set(first) == {"ann", "bob"}
        assert len(first["ann"]) == 32
        assert first["ann"] != first["bob"]
        assert (again["ann"], again["bob"]) == (first["ann"], first["bob"])
        assert await vault.existing_keys(["ann", "cai", "nobody"]) == {
            "ann": first["ann"],
            "cai": again["cai"],
        }

    async def test_a_forgotten_key_is_gone_and_never_made_again(self, vault: KeyVault) -> None:
        await vault.keys_for(["ann", "bob"])
        await vault.forget("ann")
        await vault.forget("ann")  # forgetting twice is fine
        await vault.forget("never-keyed")
        assert set(await vault.existing_keys(["ann", "bob", "never-keyed"])) == {"bob"}
        with pytest.raises(PersonalDataErased) as refused:
            await vault.keys_for(["bob", "never-keyed"])
        assert refused.value.reason == "PERSONAL_DATA_ERASED"
        assert "never-keyed" in str(refused.value)

    async def test_concurrent_first_calls_for_one_subject_share_its_key(
        self, vault: KeyVault
    ) -> None:
        for attempt in range(20):  # the race is narrow: give it many chances
            subject = f"dai-{attempt}"
            made = await asyncio.gather(*(vault.keys_for([subject]) for _ in range(8)))
            assert len({keys[subject] for keys in made}) == 1
