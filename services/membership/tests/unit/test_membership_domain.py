"""The register's aggregates, rule by rule: given past events, when a command, then events."""

import datetime as dt

import pytest

from kernel.errors import NotFound, RuleViolated, ValidationFailed
from kernel.testing.scenario import scenario
from membership.domain.cluster import Cluster, ClusterName
from membership.domain.events import (
    ClusterEstablished,
    ClusterRenamed,
    CollaborativeEstablished,
    HealthBoardRegistered,
)
from membership.domain.health_board import HealthBoard
from membership.domain.register import BoardEntry, ClusterEntry, Profession

APRIL = dt.date(2024, 4, 1)
BOARD = BoardEntry("7A1", "Betsi Cadwaladr University Health Board", None)
ANGLESEY = ClusterEntry(
    "7A1-anglesey",
    "7A1",
    "Anglesey",
    None,
    "Isle of Anglesey",
    65884,
    "7A1-isle-of-anglesey",
    "Isle of Anglesey PCPG",
)
ESTABLISHED = ClusterEstablished(
    cluster_id="7A1-anglesey",
    health_board="7A1",
    name="Anglesey",
    name_cy=None,
    local_authority="Isle of Anglesey",
    population=65884,
    pcpg_id="7A1-isle-of-anglesey",
    pcpg_name="Isle of Anglesey PCPG",
    established_on=APRIL,
)
DENTAL = Profession("dental", "Dental")


def renamed(name: str, effective_from: dt.date, name_cy: str | None = None) -> ClusterRenamed:
    return ClusterRenamed(
        cluster_id="7A1-anglesey",
        health_board="7A1",
        name=name,
        name_cy=name_cy,
        effective_from=effective_from,
    )


def violated_fields(error: Exception) -> set[str]:
    assert isinstance(error, ValidationFailed)
    return {v.field for v in error.violations}


def test_a_board_is_registered_once() -> None:
    scenario(HealthBoard).when(lambda b: b.register(BOARD)).then(
        HealthBoardRegistered(ods_code="7A1", name=BOARD.name, name_cy=None)
    )
    registered = HealthBoardRegistered(ods_code="7A1", name=BOARD.name, name_cy=None)
    scenario(HealthBoard).given(registered).when(lambda b: b.register(BOARD)).then()


@pytest.mark.parametrize("code", ["7A8", "7a1", "", "W12345", "7A0"])
def test_a_board_needs_a_welsh_ods_code(code: str) -> None:
    error = (
        scenario(HealthBoard)
        .when(lambda b: b.register(BoardEntry(code, " ", None)))
        .then_raises(ValidationFailed)
    )
    assert violated_fields(error) == {"ods_code", "name"}


def test_a_cluster_is_established_once_with_its_collaboratives() -> None:
    scenario(Cluster).when(lambda c: c.establish(ANGLESEY, APRIL)).then(ESTABLISHED)
    scenario(Cluster).given(ESTABLISHED).when(lambda c: c.establish(ANGLESEY, APRIL)).then()
    dental = CollaborativeEstablished(
        collaborative_id="7A1-anglesey.dental",
        cluster_id="7A1-anglesey",
        health_board="7A1",
        profession="dental",
        established_on=APRIL,
    )
    scenario(Cluster).given(ESTABLISHED).when(lambda c: c.establish_collaborative(DENTAL)).then(
        dental
    )
    scenario(Cluster).given(ESTABLISHED, dental).when(
        lambda c: c.establish_collaborative(DENTAL)
    ).then()


def test_a_cluster_entry_must_sit_under_its_board() -> None:
    wrong = ClusterEntry("7A2-anglesey", "7A1", "", None, "Isle of Anglesey", -1, "x", "x PCPG")
    error = (
        scenario(Cluster).when(lambda c: c.establish(wrong, APRIL)).then_raises(ValidationFailed)
    )
    assert violated_fields(error) == {"cluster_id", "name", "population"}


def test_a_collaborative_needs_an_established_cluster() -> None:
    scenario(Cluster).when(lambda c: c.establish_collaborative(DENTAL)).then_raises(NotFound)


def test_a_rename_takes_effect_from_its_date_and_keeps_history() -> None:
    june = dt.date(2025, 6, 1)
    cluster = (
        scenario(Cluster)
        .given(ESTABLISHED)
        .when(lambda c: c.rename("Ynys Môn", "Ynys Môn", june))
        .then(renamed("Ynys Môn", june, "Ynys Môn"))
    )
    assert cluster.name_on(june - dt.timedelta(days=1)) == ClusterName("Anglesey", None, APRIL)
    assert cluster.name_on(june).name == "Ynys Môn"


def test_a_later_rename_on_the_same_date_corrects_the_earlier() -> None:
    june = dt.date(2025, 6, 1)
    cluster = Cluster.replay("cluster-7A1-anglesey", [ESTABLISHED, renamed("Mon", june)])
    cluster.rename("Môn", None, june)
    assert cluster.name_on(june).name == "Môn"


def test_a_rename_cannot_take_effect_before_establishment() -> None:
    error = (
        scenario(Cluster)
        .given(ESTABLISHED)
        .when(lambda c: c.rename("Ynys Môn", None, dt.date(2024, 3, 31)))
        .then_raises(RuleViolated)
    )
    assert isinstance(error, RuleViolated)
    assert error.reason == "EFFECTIVE_BEFORE_ESTABLISHMENT"


def test_a_rename_that_changes_nothing_is_refused() -> None:
    error = (
        scenario(Cluster)
        .given(ESTABLISHED)
        .when(lambda c: c.rename("Anglesey", None, dt.date(2025, 1, 1)))
        .then_raises(RuleViolated)
    )
    assert isinstance(error, RuleViolated)
    assert error.reason == "RENAME_CHANGES_NOTHING"


@pytest.mark.parametrize(
    ("name", "name_cy"), [("", None), ("  ", None), ("Môn", " "), ("x" * 201, None)]
)
def test_a_rename_needs_a_proper_name(name: str, name_cy: str | None) -> None:
    error = (
        scenario(Cluster)
        .given(ESTABLISHED)
        .when(lambda c: c.rename(name, name_cy, dt.date(2025, 1, 1)))
        .then_raises(ValidationFailed)
    )
    assert violated_fields(error) <= {"name", "name_cy"}


def test_an_unknown_cluster_cannot_be_renamed() -> None:
    scenario(Cluster).when(lambda c: c.rename("Môn", None, APRIL)).then_raises(NotFound)
