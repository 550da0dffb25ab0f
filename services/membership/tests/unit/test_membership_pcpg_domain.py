"""A PCPG is a body of its own: established once, with its board, by seeding."""

import datetime as dt

import pytest

from kernel.errors import AlreadyExists, ValidationFailed
from kernel.eventstore.memory import InMemoryEventStore
from kernel.testing.scenario import scenario
from membership.adapters.register_file import load_register
from membership.application.access import Caller
from membership.application.handlers import RegisterCommands
from membership.application.register_changes import RegisterChangeCommands
from membership.domain.change_requests import NewCluster, SplitRequest
from membership.domain.pcpg import Pcpg, PcpgEntry, PcpgEstablished

APRIL = dt.date(2024, 4, 1)
SWANSEA_BAY = PcpgEntry("7A3-swansea-bay", "7A3", "Swansea Bay PCPG")
ESTABLISHED = PcpgEstablished(
    pcpg_id="7A3-swansea-bay", health_board="7A3", name="Swansea Bay PCPG", established_on=APRIL
)


def test_a_pcpg_is_established_once() -> None:
    scenario(Pcpg).when(lambda p: p.establish(SWANSEA_BAY, APRIL)).then(ESTABLISHED)
    scenario(Pcpg).given(ESTABLISHED).when(lambda p: p.establish(SWANSEA_BAY, APRIL)).then()


def test_a_pcpg_sits_under_its_board() -> None:
    error = (
        scenario(Pcpg)
        .when(lambda p: p.establish(PcpgEntry("7A2-swansea-bay", "7A3", ""), APRIL))
        .then_raises(ValidationFailed)
    )
    assert isinstance(error, ValidationFailed)
    assert {v.field for v in error.violations} == {"pcpg_id", "name"}


async def test_seeding_establishes_each_pcpg_before_its_clusters() -> None:
    store = InMemoryEventStore()
    result = await RegisterCommands(store).seed_register(
        Caller("ops", "operator"), load_register(), APRIL
    )
    assert (result.pcpgs_created, result.pcpgs_present) == (21, 0)
    events = await store.read_all(0, 10_000)
    types = [e.event_type for e in events]
    assert types.index("membership.PcpgEstablished") < types.index("membership.ClusterEstablished")
    swansea_bay = [e.data for e in events if e.stream_id == "pcpg-7A3-swansea-bay"]
    assert swansea_bay == [ESTABLISHED.model_dump(mode="json")]
    # a cluster may not take a PCPG's id: bodies are found by id
    split = SplitRequest(
        "7A3-neath",
        (
            NewCluster("7A3-swansea-bay", "Bay", None, None, None),
            NewCluster("7A3-neath-west", "Neath West", None, None, None),
        ),
        dt.date(2025, 4, 1),
    )
    with pytest.raises(AlreadyExists):
        await RegisterChangeCommands(store).split_cluster(Caller("ops", "operator"), split)
