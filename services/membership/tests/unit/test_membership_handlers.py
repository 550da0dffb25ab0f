"""The register's commands on an in-memory store: what they store, refuse and report."""

import datetime as dt

import pytest

from kernel.errors import NotFound, PermissionDenied, RuleViolated, ValidationFailed
from kernel.eventstore.memory import InMemoryEventStore
from membership.adapters.register_file import load_register
from membership.application.access import Caller
from membership.application.handlers import RegisterCommands

APRIL = dt.date(2024, 4, 1)
OPERATOR = Caller("ops", "operator")
BETSI = Caller("betsi", "health_board", "7A1")
HYWEL_DDA = Caller("hywel-dda", "health_board", "7A2")
NATIONAL = Caller("spcc", "national")


@pytest.fixture
async def seeded() -> tuple[RegisterCommands, InMemoryEventStore]:
    store = InMemoryEventStore()
    commands = RegisterCommands(store)
    await commands.seed_register(OPERATOR, load_register(), APRIL)
    return commands, store


async def test_seeding_creates_the_register_and_reseeding_changes_nothing(
    seeded: tuple[RegisterCommands, InMemoryEventStore],
) -> None:
    commands, store = seeded
    stored = await store.last_position()
    assert stored == 7 + 21 + 60 + 60 * 7  # boards, PCPGs, clusters, collaboratives
    again = await commands.seed_register(OPERATOR, load_register(), APRIL)
    assert (again.boards_created, again.clusters_created, again.collaboratives_created) == (0, 0, 0)
    assert (again.pcpgs_created, again.pcpgs_present) == (0, 21)
    assert (again.boards_present, again.clusters_present, again.collaboratives_present) == (
        7,
        60,
        420,
    )
    assert await store.last_position() == stored


async def test_only_operators_seed() -> None:
    store = InMemoryEventStore()
    for caller in (BETSI, NATIONAL):
        with pytest.raises(PermissionDenied):
            await RegisterCommands(store).seed_register(caller, load_register(), APRIL)
    assert await store.last_position() == 0


async def test_a_board_renames_its_own_clusters_only(
    seeded: tuple[RegisterCommands, InMemoryEventStore],
) -> None:
    commands, store = seeded
    before = await store.last_position()
    for caller in (HYWEL_DDA, NATIONAL):
        with pytest.raises(PermissionDenied):
            await commands.rename_cluster(caller, "7A1-anglesey", "Môn", None, APRIL)
    assert await store.last_position() == before
    position = await commands.rename_cluster(BETSI, "7A1-anglesey", "Môn", "Môn", APRIL)
    assert position == before + 1
    cluster = await commands.clusters.load("7A1-anglesey")
    assert cluster.name_on(APRIL).name == "Môn"


async def test_bad_renames_store_nothing(
    seeded: tuple[RegisterCommands, InMemoryEventStore],
) -> None:
    commands, store = seeded
    before = await store.last_position()
    with pytest.raises(NotFound):
        await commands.rename_cluster(OPERATOR, "7A1-nowhere", "Môn", None, APRIL)
    with pytest.raises(ValidationFailed):
        await commands.rename_cluster(OPERATOR, "7A1-anglesey", "", None, APRIL)
    with pytest.raises(RuleViolated):
        await commands.rename_cluster(OPERATOR, "7A1-anglesey", "Anglesey", None, APRIL)
    with pytest.raises(RuleViolated):
        await commands.rename_cluster(OPERATOR, "7A1-anglesey", "Môn", None, dt.date(2020, 1, 1))
    assert await store.last_position() == before


def test_boards_read_only_their_own_part_of_the_register() -> None:
    assert BETSI.board_filter(None) == "7A1"
    assert BETSI.board_filter("7A1") == "7A1"
    with pytest.raises(PermissionDenied):
        BETSI.board_filter("7A2")
    assert NATIONAL.board_filter(None) is None
    assert NATIONAL.board_filter("7A2") == "7A2"
    with pytest.raises(PermissionDenied):
        Caller("reporting", "service", "reporting").require_reader()
