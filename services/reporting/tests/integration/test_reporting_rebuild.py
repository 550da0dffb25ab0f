"""The maturity read model rebuilt from position 0 equals the live one."""

import datetime as dt

import pytest

from clwstwr.reporting.v1 import reporting_service_pb2 as pb
from kernel.feed import LocalEventSource
from kernel.projections import physical_tables
from kernel.projections.rebuild import rebuild
from reporting.adapters.maturity_view import MaturityView

from .conftest import BOARD, CLUSTER, NATIONAL, OPERATOR, Platform

pytestmark = pytest.mark.integration


async def _snapshot(platform: Platform) -> dict[str, list[tuple[object, ...]]]:
    schema = platform.reporting.settings.service_name
    tables = physical_tables(schema, MaturityView())
    return {
        name: sorted(
            (tuple(r) for r in await platform.reporting.pool.fetch(f"SELECT * FROM {table}")),
            key=repr,
        )
        for name, table in tables.items()
    }


async def test_a_rebuild_from_scratch_equals_the_live_read_model(platform: Platform) -> None:
    api = platform.stub
    await api.LoadOutcomeTitles(pb.LoadOutcomeTitlesRequest(), metadata=OPERATOR)
    await api.AssignReviewOutcomes(
        pb.AssignReviewOutcomesRequest(
            health_board="7A1",
            financial_year="2024/25",
            pcmw_outcomes=["PCMW-03", "PCMW-07"],
            acd_outcome="ACD-02",
            self_assessment_due=dt.date(2025, 1, 31).isoformat(),
        ),
        metadata=NATIONAL,
    )
    lead = await platform.appoint(CLUSTER, "cluster_lead")
    for levels in ((1, 1, 1), (2, 3, 1)):
        await api.SubmitSelfAssessment(
            pb.SubmitSelfAssessmentRequest(
                cluster_id=CLUSTER,
                financial_year="2024/25",
                submitted_by=lead,
                ratings=[
                    pb.SelfRating(outcome=o, level=level, evidence="seen")
                    for o, level in zip(("PCMW-03", "PCMW-07", "ACD-02"), levels, strict=True)
                ],
                enablers=["e"],
                barriers=["b"],
            ),
            metadata=BOARD,
        )
    live = await _snapshot(platform)
    assert len(live["levels"]) == 3
    schema = platform.reporting.settings.service_name
    source = LocalEventSource(schema, platform.reporting.store)
    await rebuild(platform.reporting.pool, schema, MaturityView(), [source])
    assert await _snapshot(platform) == live
