"""Personal data in an append-only store: sealed per person, erased by forgetting the key.

Events keep facts forever, but a person may ask to be forgotten. So a domain event names its
personal fields and whose they are (``DomainEvent.personal_data`` / ``personal_data_of``); the
service's store seals those fields with a key of that person's own before they are written
(``SealingEventStore``), and an event that erases a person (``erases_personal_data_of``)
makes the store forget that key first. What is stored, relayed to the broker and served by
the EventFeed holds only sealed text; once the key is forgotten every copy is unreadable, and
the service's own reads see ``None`` in those fields. This is crypto-shredding.
"""

from kernel.personal_data.cipher import is_sealed
from kernel.personal_data.policy import NO_PERSONAL_DATA, PersonalDataPolicy, PersonalFields
from kernel.personal_data.sealing import SealingEventStore
from kernel.personal_data.vault import InMemoryKeyVault, KeyVault, PersonalDataErased

__all__ = [
    "NO_PERSONAL_DATA",
    "InMemoryKeyVault",
    "KeyVault",
    "PersonalDataErased",
    "PersonalDataPolicy",
    "PersonalFields",
    "SealingEventStore",
    "is_sealed",
]
