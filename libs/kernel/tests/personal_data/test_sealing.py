"""Crypto-shredding: personal fields sealed in the store, opened for the service, erasable."""

from collections.abc import Collection
from typing import ClassVar

import pytest
from cryptography.exceptions import InvalidTag

from kernel.aggregate import DomainEvent, EventRegistry
from kernel.events import NO_STREAM
from kernel.eventstore.memory import InMemoryEventStore
from kernel.personal_data import (
    NO_PERSONAL_DATA,
    InMemoryKeyVault,
    PersonalDataErased,
    PersonalDataPolicy,
    SealingEventStore,
    is_sealed,
)
from kernel.personal_data.cipher import new_key, seal, unseal
from kernel.testing.eventstore_contract import EventStoreContract


class Registered(DomainEvent):
    event_type: ClassVar[str] = "test.Registered"
    personal_data: ClassVar[tuple[str, ...]] = ("name", "contact")
    personal_data_of: ClassVar[str] = "person_id"
    person_id: str
    name: str | None
    contact: str | None
    team: str


class Erased(DomainEvent):
    event_type: ClassVar[str] = "test.Erased"
    erases_personal_data_of: ClassVar[str] = "person_id"
    person_id: str


POLICY = PersonalDataPolicy.of([Registered, Erased])


def registered(person_id: str, name: str, contact: str | None = None) -> Registered:
    return Registered(person_id=person_id, name=name, contact=contact, team="blue")


@pytest.fixture
def inner() -> InMemoryEventStore:
    return InMemoryEventStore()


@pytest.fixture
def sealing(inner: InMemoryEventStore) -> SealingEventStore:
    return SealingEventStore(inner, InMemoryKeyVault(), POLICY)


class TestSealingEventStore(EventStoreContract):
    """A sealing store is still an event store (events without personal data pass through)."""

    @pytest.fixture
    def store(self) -> SealingEventStore:
        return SealingEventStore(InMemoryEventStore(), InMemoryKeyVault(), POLICY)


def test_the_policy_is_what_the_events_declare() -> None:
    assert POLICY.sealed["test.Registered"].fields == ("name", "contact")
    assert POLICY.sealed["test.Registered"].subject == "person_id"
    assert POLICY.erasures == {"test.Erased": "person_id"}
    assert not NO_PERSONAL_DATA

    class Unowned(DomainEvent):
        event_type: ClassVar[str] = "test.Unowned"
        personal_data: ClassVar[tuple[str, ...]] = ("name",)

    with pytest.raises(ValueError, match="personal_data_of"):
        PersonalDataPolicy.of([Unowned])


def test_a_sealed_value_opens_only_with_its_key_and_for_its_subject() -> None:
    key = new_key()
    sealed = seal(key, "ann", "Ann Jones")
    assert is_sealed(sealed)
    assert "Ann" not in sealed
    assert unseal(key, "ann", sealed) == "Ann Jones"
    assert seal(key, "ann", "Ann Jones") != sealed  # a fresh nonce each time
    with pytest.raises(InvalidTag):
        unseal(key, "bob", sealed)  # moved to someone else's record
    with pytest.raises(InvalidTag):
        unseal(new_key(), "ann", sealed)


async def test_personal_fields_are_sealed_in_the_store_and_open_for_the_service(
    inner: InMemoryEventStore, sealing: SealingEventStore
) -> None:
    event = EventRegistry.encode(registered("ann", "Ann Jones", "ann@example.org"))
    await sealing.append("person-ann", NO_STREAM, [event])

    [stored] = await inner.read_stream("person-ann")
    assert is_sealed(stored.data["name"])
    assert is_sealed(stored.data["contact"])
    assert stored.data["team"] == "blue"  # not personal: left as it is
    assert "Ann" not in str(stored.data)

    [opened] = await sealing.read_stream("person-ann")
    assert opened.data == {
        "person_id": "ann",
        "name": "Ann Jones",
        "contact": "ann@example.org",
        "team": "blue",
    }
    assert (await sealing.read_all())[0].data == opened.data


async def test_erasure_forgets_the_key_so_every_copy_reads_as_none(
    inner: InMemoryEventStore, sealing: SealingEventStore
) -> None:
    await sealing.append("person-ann", NO_STREAM, [EventRegistry.encode(registered("ann", "Ann"))])
    await sealing.append("person-bob", NO_STREAM, [EventRegistry.encode(registered("bob", "Bob"))])
    copy_elsewhere = (await inner.read_stream("person-ann"))[0].data["name"]

    await sealing.append("person-ann", 1, [EventRegistry.encode(Erased(person_id="ann"))])

    [ann, erased] = await sealing.read_stream("person-ann")
    assert ann.data["name"] is None
    assert ann.data["contact"] is None  # was None: stays None
    assert erased.event_type == "test.Erased"
    assert Registered.model_validate(ann.data).name is None
    assert (await sealing.read_stream("person-bob"))[0].data["name"] == "Bob"
    assert is_sealed(copy_elsewhere)  # the published copy: sealed text nobody can open now


async def test_several_streams_read_at_once_open_with_one_key_look_up(
    inner: InMemoryEventStore,
) -> None:
    vault = _CountingVault()
    sealing = SealingEventStore(inner, vault, POLICY)
    await sealing.append("person-ann", NO_STREAM, [EventRegistry.encode(registered("ann", "Ann"))])
    await sealing.append("person-bob", NO_STREAM, [EventRegistry.encode(registered("bob", "Bob"))])
    await sealing.append("person-bob", 1, [EventRegistry.encode(Erased(person_id="bob"))])
    vault.look_ups = 0

    streams = await sealing.read_streams({"person-ann": 0, "person-bob": 0, "person-cai": 0})

    assert [e.data["name"] for e in streams["person-ann"]] == ["Ann"]
    assert [e.event_type for e in streams["person-bob"]] == ["test.Registered", "test.Erased"]
    assert streams["person-bob"][0].data["name"] is None  # erased: the key is gone
    assert streams["person-cai"] == []
    assert vault.look_ups == 1


class _CountingVault(InMemoryKeyVault):
    def __init__(self) -> None:
        super().__init__()
        self.look_ups = 0

    async def existing_keys(self, subjects: Collection[str]) -> dict[str, bytes]:
        self.look_ups += 1
        return await super().existing_keys(subjects)


async def test_no_new_personal_data_is_stored_for_an_erased_person(
    inner: InMemoryEventStore, sealing: SealingEventStore
) -> None:
    await sealing.append("person-ann", NO_STREAM, [EventRegistry.encode(Erased(person_id="ann"))])
    with pytest.raises(PersonalDataErased):
        await sealing.append(
            "person-ann", 1, [EventRegistry.encode(registered("ann", "Ann again"))]
        )
    assert len(await inner.read_stream("person-ann")) == 1
