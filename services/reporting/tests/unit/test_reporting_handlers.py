"""Reporting's commands on an in-memory store: who may act, what they store and refuse."""

import datetime as dt
from dataclasses import dataclass, field

import pytest

from kernel.errors import (
    AlreadyExists,
    NotFound,
    PermissionDenied,
    RuleViolated,
    ValidationFailed,
)
from kernel.eventstore.memory import InMemoryEventStore
from reporting.adapters.catalogue_file import shipped_titles
from reporting.application.access import Caller
from reporting.application.catalogue import CatalogueCommands
from reporting.application.reviews import PeerReviewInput, ReviewCommands
from reporting.domain.assignment import Cluster

from .samples import ANGLESEY, ARFON, ASSIGNMENT, CARMARTHEN, DUE, agreed, submission

BETSI = Caller("betsi", "health_board", "7A1")
HYWEL_DDA = Caller("hywel-dda", "health_board", "7A2")
NATIONAL = Caller("spcc", "national")
OPERATOR = Caller("ops", "operator")


@dataclass
class FakeRegister:
    clusters: dict[str, Cluster] = field(
        default_factory=lambda: {c.cluster_id: c for c in (ANGLESEY, ARFON, CARMARTHEN)}
    )
    leads: dict[str, set[str]] = field(default_factory=lambda: {ANGLESEY.cluster_id: {"lead-1"}})

    async def find_cluster(self, cluster_id: str) -> Cluster | None:
        return self.clusters.get(cluster_id)

    async def leads_on(self, cluster_id: str, on: dt.date) -> set[str]:
        return self.leads.get(cluster_id, set())


@dataclass
class Service:
    store: InMemoryEventStore
    reviews: ReviewCommands
    catalogue: CatalogueCommands
    today: list[dt.date]

    async def stored(self) -> int:
        return await self.store.last_position()

    async def assigned(self) -> None:
        await self.reviews.assign_outcomes(NATIONAL, "7A1", "2024/25", ASSIGNMENT)


@pytest.fixture
def service() -> Service:
    store = InMemoryEventStore()
    today = [dt.date(2024, 10, 1)]
    reviews = ReviewCommands(store, FakeRegister(), lambda: today[0])
    return Service(store, reviews, CatalogueCommands(store), today)


async def test_only_operators_load_titles_and_a_reload_changes_nothing(service: Service) -> None:
    with pytest.raises(PermissionDenied):
        await service.catalogue.set_titles(NATIONAL, shipped_titles(), "load")
    changed, _ = await service.catalogue.set_titles(OPERATOR, shipped_titles(), "load")
    assert changed == 20
    again, _ = await service.catalogue.set_titles(OPERATOR, shipped_titles(), "load")
    assert again == 0
    assert await service.stored() == 20


async def test_only_the_national_programme_assigns_outcomes(service: Service) -> None:
    with pytest.raises(PermissionDenied):
        await service.reviews.assign_outcomes(BETSI, "7A1", "2024/25", ASSIGNMENT)
    with pytest.raises(ValidationFailed, match="health_board"):
        await service.reviews.assign_outcomes(NATIONAL, "7A9", "2024/25", ASSIGNMENT)
    await service.assigned()
    await service.assigned()
    assert await service.stored() == 1


async def test_a_lead_submits_then_resubmits_as_revision_2(service: Service) -> None:
    await service.assigned()
    first, _ = await service.reviews.submit_self_assessment(
        BETSI, ANGLESEY.cluster_id, "2024/25", submission(1, 2, 3)
    )
    second, _ = await service.reviews.submit_self_assessment(
        BETSI, ANGLESEY.cluster_id, "2024/25", submission(2, 2, 3)
    )
    assert (first, second) == (1, 2)


async def test_refused_submissions_store_nothing(service: Service) -> None:
    with pytest.raises(RuleViolated, match="no outcomes assigned"):
        await service.reviews.submit_self_assessment(
            BETSI, ANGLESEY.cluster_id, "2024/25", submission(1, 2, 3)
        )
    await service.assigned()
    before = await service.stored()
    refusals = [
        (HYWEL_DDA, ANGLESEY.cluster_id, submission(1, 2, 3), PermissionDenied),
        (BETSI, "7A1-nowhere", submission(1, 2, 3), NotFound),
        (BETSI, ANGLESEY.cluster_id, submission(1, 2, 4), ValidationFailed),
        (BETSI, ANGLESEY.cluster_id, submission(1, 2, 3, by="someone"), RuleViolated),
        (BETSI, ARFON.cluster_id, submission(1, 2, 3), RuleViolated),
    ]
    for who, cluster, submitted, error in refusals:
        with pytest.raises(error):
            await service.reviews.submit_self_assessment(who, cluster, "2024/25", submitted)
    service.today[0] = DUE + dt.timedelta(days=1)
    with pytest.raises(RuleViolated, match="due by"):
        await service.reviews.submit_self_assessment(
            BETSI, ANGLESEY.cluster_id, "2024/25", submission(1, 2, 3)
        )
    assert await service.stored() == before


async def test_one_nomination_per_board_and_year(service: Service) -> None:
    with pytest.raises(PermissionDenied):
        await service.reviews.nominate(HYWEL_DDA, "7A1", "2024/25", ANGLESEY.cluster_id)
    await service.reviews.nominate(BETSI, "7A1", "2024/25", ANGLESEY.cluster_id)
    with pytest.raises(AlreadyExists, match="one cluster per board a year"):
        await service.reviews.nominate(BETSI, "7A1", "2024/25", ARFON.cluster_id)
    await service.reviews.nominate(BETSI, "7A1", "2025/26", ARFON.cluster_id)
    assert await service.stored() == 2


def _review(*reviewers: tuple[str, str]) -> PeerReviewInput:
    return PeerReviewInput(
        reviewed_on=dt.date(2024, 11, 5),
        reviewers=list(reviewers),
        independent_chair="chair-1",
        agreed_levels=agreed(2, 2, 1),
        findings=["a finding"],
    )


async def test_peer_reviewers_come_from_known_clusters_of_another_board(service: Service) -> None:
    await service.assigned()
    await service.reviews.nominate(BETSI, "7A1", "2024/25", ANGLESEY.cluster_id)
    before = await service.stored()
    same_board = _review(("p-1", CARMARTHEN.cluster_id), ("p-2", ARFON.cluster_id))
    with pytest.raises(ValidationFailed) as raised:
        await service.reviews.record_peer_review(
            NATIONAL, ANGLESEY.cluster_id, "2024/25", same_board
        )
    assert [v.field for v in raised.value.violations] == ["reviewers[1].cluster_id"]
    unknown = _review(("p-1", "7A2-nowhere"))
    with pytest.raises(ValidationFailed, match=r"reviewers\[0\].cluster_id: no cluster"):
        await service.reviews.record_peer_review(NATIONAL, ANGLESEY.cluster_id, "2024/25", unknown)
    with pytest.raises(PermissionDenied):
        await service.reviews.record_peer_review(
            HYWEL_DDA, ANGLESEY.cluster_id, "2024/25", _review(("p-1", CARMARTHEN.cluster_id))
        )
    assert await service.stored() == before
    await service.reviews.record_peer_review(
        BETSI, ANGLESEY.cluster_id, "2024/25", _review(("p-1", CARMARTHEN.cluster_id))
    )
    assert await service.stored() == before + 1
