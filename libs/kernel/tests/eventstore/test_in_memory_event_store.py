import pytest

from kernel.eventstore.memory import InMemoryEventStore
from kernel.testing.eventstore_contract import EventStoreContract


class TestInMemoryEventStore(EventStoreContract):
    @pytest.fixture
    def store(self) -> InMemoryEventStore:
        return InMemoryEventStore()
