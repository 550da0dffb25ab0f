"""End to end: seed, a year of meetings with deliberate gaps, then the report shows exactly those.

Membership, meetings and reporting run as in production; reporting's clock is moved to
1 May 2025, after financial year 2024/25, so every quarter and the year have ended.
"""

import datetime as dt
import json

import grpc
import pytest
from grpc import aio

from clwstwr.meetings.v1 import meetings_service_pb2 as gpb
from clwstwr.reporting.v1 import compliance_pb2 as cpb
from clwstwr.reporting.v1 import reporting_service_pb2 as pb
from kernel.events import NewEvent
from kernel.feed import LocalEventSource
from kernel.projections import physical_tables
from kernel.projections.rebuild import rebuild
from reporting.adapters.compliance_queries import PostgresComplianceQueries
from reporting.adapters.compliance_view import ComplianceView
from reporting.adapters.membership_view import MembershipView
from reporting.application.findings_publisher import FindingsPublisher

from .clerk import Clerk, caught_up
from .conftest import BOARD, CLUSTER, NATIONAL, OTHER_BOARD, Platform
from .ledger_samples import ledger_entry

pytestmark = pytest.mark.integration

FY = "2024/25"
DAYS = ("2024-05-15", "2024-08-15", "2024-11-15", "2025-02-15")
PCS = (
    "general-practice",
    "community-pharmacy",
    "dental",
    "optometry",
    "community-nursing",
    "allied-health-professionals",
    "social-care",
)


def pc(profession: str) -> str:
    return f"{CLUSTER}.{profession}"


async def a_year_with_gaps(platform: Platform) -> set[tuple[str, str, str]]:
    """Run 2024/25 for Anglesey with eight planted gaps; the findings they should raise."""
    clerk, meets = Clerk(platform), platform.meets
    pcpg = await platform.reporting.pool.fetchval(
        f"SELECT pcpg_id FROM {platform.reporting.settings.service_name}.bodies WHERE body_id = $1",
        CLUSTER,
    )
    practice = await clerk.organisation("dental_practice", "V00001", CLUSTER)
    chairs = {CLUSTER: await clerk.chair(CLUSTER, "cluster_lead")}
    chairs[pc("dental")] = await clerk.chair(pc("dental"), "collaborative_lead", practice)
    for body in [pc(p) for p in PCS if p != "dental"] + [pcpg]:
        chairs[body] = await clerk.chair(body, "deputy_chair")
    dental_lead = chairs[pc("dental")]
    await clerk.enrol(CLUSTER, dental_lead, practice)
    second = await clerk.member(pc("optometry"), "Second optometrist")
    stand_in = await clerk.member(pc("social-care"), "Stand-in")
    for body in chairs:
        await clerk.terms(body, 2 if body == pc("optometry") else 1, pcpg)
    await caught_up(platform.meetings, platform.membership)

    held: dict[tuple[str, int], str] = {}
    for q, day in enumerate(DAYS, start=1):
        dental = {1: "present", 2: "apologies", 3: "absent", 4: "present"}[q]
        attendance = {chairs[CLUSTER]: "present", dental_lead: dental}
        due = DAYS[2] if q == 1 else ""
        held[CLUSTER, q] = await clerk.hold(
            CLUSTER, day, chairs[CLUSTER], attendance, action_due=due
        )
        for body in [pc(p) for p in PCS] + [pcpg]:
            attendance = {chairs[body]: "present"}
            chair = chairs[body]
            if body == pc("optometry") and q != 2:  # quorum 2: Q2 is not quorate
                attendance[second] = "present"
            if body == pc("social-care") and q == 4:  # the deputy is away; a stand-in chairs
                attendance, chair = {chairs[body]: "apologies", stand_in: "present"}, stand_in
            # The dental PC skips Q3; the pharmacy PC meets three times, one later voided.
            skipped = (body == pc("dental") and q == 3) or (
                body == pc("community-pharmacy") and q == 4
            )
            if not skipped:
                approve = not (body == pc("general-practice") and q == 1)
                declared = not (body == pcpg and q == 1)  # no declarations item in the minutes
                held[body, q] = await clerk.hold(
                    body, day, chair, attendance, approve=approve, none_declared=declared
                )

    # Corrections and cancellations after the fact: the Q3 absence was a clerical slip; two
    # meetings are voided (so the pharmacy PC held two, and the PCPG none in Q4).
    await meets.CorrectAttendance(
        gpb.CorrectAttendanceRequest(
            meeting_id=held[CLUSTER, 3], person_id=dental_lead, status="present", reason="late"
        ),
        metadata=BOARD,
    )
    for voided in (held[pc("community-pharmacy"), 3], held[pcpg, 4]):
        await meets.CancelMeeting(
            gpb.CancelMeetingRequest(meeting_id=voided, reason="recorded twice"), metadata=BOARD
        )
    await caught_up(platform.reporting, platform.meetings)
    await caught_up(platform.reporting, platform.membership)
    return {
        (pc("dental"), "NO_MEETING_IN_QUARTER", "Q3"),
        (CLUSTER, "PC_LEAD_ABSENT", f"{held[CLUSTER, 2]}/{pc('dental')}"),
        (pc("community-pharmacy"), "BELOW_ANNUAL_MINIMUM", "FY"),
        (pc("optometry"), "NOT_QUORATE", held[pc("optometry"), 2]),
        (pc("social-care"), "CHAIR_NOT_LEAD_OR_DEPUTY", held[pc("social-care"), 4]),
        (pc("general-practice"), "MINUTES_NOT_APPROVED", held[pc("general-practice"), 1]),
        (pcpg, "NO_MEETING_IN_QUARTER", "Q4"),
        (pcpg, "DECLARATIONS_NOT_RECORDED", held[pcpg, 1]),
    }


def planted_view(findings: list[cpb.Finding]) -> set[tuple[str, str, str]]:
    return {(f.body_id, f.code, f.subject) for f in findings}


REPORT = pb.GetClusterReportRequest(cluster_id=CLUSTER, financial_year=FY)


@pytest.fixture(scope="module")
async def planted(platform: Platform) -> set[tuple[str, str, str]]:
    """The year run once for the module; then reporting's clock moves past its end."""
    findings = await a_year_with_gaps(platform)
    platform.clock[0] = dt.date(2025, 5, 1)
    return findings


async def report_of(platform: Platform) -> cpb.ClusterCompliance:
    return (await platform.stub.GetClusterReport(REPORT, metadata=BOARD)).compliance


async def test_the_report_shows_exactly_the_gaps_planted(
    platform: Platform, planted: set[tuple[str, str, str]]
) -> None:
    report = await report_of(platform)
    assert planted_view(list(report.findings)) == planted
    texts = {f.text for f in report.findings}
    assert "Dental PC: no meeting in Q3" in texts
    assert "Community pharmacy PC: 2 meetings in 2024/25, fewer than 3" in texts
    dental = next(b for b in report.bodies if b.body_id == pc("dental"))
    assert [q.held for q in dental.quarters] == [1, 1, 0, 1]
    assert (dental.label, dental.terms_last_reviewed) == ("Dental PC", "2024-04-01")
    by_profession = {c.key: (c.attendances, c.meetings) for c in report.attendance_by_profession}
    assert by_profession["dental"] == (6, 6)  # three PC meetings, three cluster meetings
    [action] = report.open_actions
    assert (action.description, action.overdue) == ("Map services", True)
    cluster = next(b for b in report.bodies if b.body_id == CLUSTER)
    assert (cluster.open_actions, cluster.overdue_actions) == (1, 1)
    by_organisation = {c.label: c.attendances for c in report.attendance_by_organisation}
    assert by_organisation["dental_practice V00001"] == 6  # the dental lead's practice
    with pytest.raises(aio.AioRpcError) as refused:
        await platform.stub.GetClusterReport(REPORT, metadata=OTHER_BOARD)
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_findings_are_listed_by_key_paged_and_scoped_by_board(
    platform: Platform, planted: set[tuple[str, str, str]]
) -> None:
    pages, token = [], ""
    while True:
        page = await platform.stub.ListFindings(
            cpb.ListFindingsRequest(financial_year=FY, cluster_id=CLUSTER, page_size=3,
                                    page_token=token),
            metadata=NATIONAL,
        )  # fmt: skip
        pages.append(list(page.findings))
        token = page.next_page_token
        if not token:
            break
    assert [len(p) for p in pages] == [3, 3, 2]
    keys = [f.key for p in pages for f in p]
    assert keys == sorted(keys)
    assert planted_view([f for p in pages for f in p]) == planted
    # The board's other clusters held no meetings at all: every body misses every quarter.
    board = await platform.stub.ListFindings(
        cpb.ListFindingsRequest(financial_year=FY, health_board="7A1", page_size=100),
        metadata=BOARD,
    )
    assert board.next_page_token
    assert {f.code for f in board.findings} >= {"NO_MEETING_IN_QUARTER"}
    with pytest.raises(aio.AioRpcError) as refused:
        await platform.stub.ListFindings(
            cpb.ListFindingsRequest(financial_year=FY, health_board="7A1"), metadata=OTHER_BOARD
        )
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_the_report_exports_as_csv_and_json(
    platform: Platform, planted: set[tuple[str, str, str]]
) -> None:
    assert planted
    exported = await platform.stub.ExportClusterReport(
        pb.ExportClusterReportRequest(cluster_id=CLUSTER, financial_year=FY, format="csv"),
        metadata=BOARD,
    )
    assert (exported.content_type, exported.filename) == ("text/csv", f"{CLUSTER}-2024-25.csv")
    lines = exported.content.decode().splitlines()
    assert lines[0] == "section,body_id,body,quarter,item,value"
    dental_q3 = f"finding,{pc('dental')},Dental PC,3,NO_MEETING_IN_QUARTER,Dental PC: no meeting"
    assert f"{dental_q3} in Q3" in lines
    as_json = await platform.stub.ExportClusterReport(
        pb.ExportClusterReportRequest(cluster_id=CLUSTER, financial_year=FY, format="json"),
        metadata=BOARD,
    )
    assert json.loads(as_json.content)["compliance"]["clusterId"] == CLUSTER
    with pytest.raises(aio.AioRpcError) as bad_format:
        await platform.stub.ExportClusterReport(
            pb.ExportClusterReportRequest(cluster_id=CLUSTER, financial_year=FY, format="pdf"),
            metadata=BOARD,
        )
    assert bad_format.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_the_national_overview_puts_every_cluster_side_by_side(
    platform: Platform, planted: set[tuple[str, str, str]]
) -> None:
    overview = await platform.stub.GetNationalOverview(
        pb.GetNationalOverviewRequest(financial_year=FY), metadata=NATIONAL
    )
    assert (len(overview.clusters), len(overview.board_rollups)) == (60, 7)
    anglesey = next(c for c in overview.clusters if c.key == CLUSTER)
    # Held: the cluster 4, dental 3, pharmacy 2, and 4 for each of the other five PCs.
    assert (anglesey.meetings_held, anglesey.findings) == (29, len(planted))
    assert sum(b.clusters for b in overview.board_rollups) == 60
    own = await platform.stub.GetNationalOverview(
        pb.GetNationalOverviewRequest(financial_year=FY), metadata=BOARD
    )
    assert {c.health_board for c in own.clusters} == {"7A1"}


async def test_a_rebuild_from_scratch_gives_the_same_report(
    platform: Platform, planted: set[tuple[str, str, str]]
) -> None:
    report = await report_of(platform)
    assert planted_view(list(report.findings)) == planted
    reporting, meetings, membership = platform.reporting, platform.meetings, platform.membership
    schema = reporting.settings.service_name
    for view, source in ((ComplianceView(), meetings), (MembershipView(), membership)):
        events = LocalEventSource(source.settings.service_name, source.store)
        await rebuild(reporting.pool, schema, view, [events])
    assert await report_of(platform) == report


async def test_findings_are_published_once_raised_and_resolved_when_gone(
    platform: Platform, planted: set[tuple[str, str, str]]
) -> None:
    reporting, clock = platform.reporting, platform.clock
    queries = PostgresComplianceQueries(
        reporting.pool,
        {
            **physical_tables(reporting.settings.service_name, MembershipView()),
            **physical_tables(reporting.settings.service_name, ComplianceView()),
        },
    )
    publisher = FindingsPublisher(reporting.store, queries, lambda: clock[0])
    report = await report_of(platform)
    assert await publisher.publish(FY) >= len(planted)
    assert await publisher.publish(FY) == 0  # nothing changed: nothing published again

    [unapproved] = [f for f in report.findings if f.code == "MINUTES_NOT_APPROVED"]
    await platform.meets.ApproveMinutes(
        gpb.ApproveMinutesRequest(meeting_id=unapproved.meeting_id, approved_on="2025-05-01"),
        metadata=BOARD,
    )
    await caught_up(reporting, platform.meetings)
    assert await publisher.publish(FY) == 1
    stored = await reporting.store.read_stream(publisher.ledgers.stream_id(f"{CLUSTER}-2024-25"))
    raised = [e for e in stored if e.event_type == "reporting.ComplianceFindingRaised"]
    assert {e.data["finding_key"] for e in raised} >= {f.key for f in report.findings}
    [resolved] = [e for e in stored if e.event_type == "reporting.ComplianceFindingResolved"]
    assert resolved.data["finding_key"] == unapproved.key


async def test_the_report_shows_payments_by_rule_from_the_ledger(platform: Platform) -> None:
    def entry(entry_id: int, rule: str, pence: int, reverses: int | None = None) -> NewEvent:
        posted = ledger_entry(entry_id, rule, pence, reverses=reverses)
        return NewEvent(posted.event_type, posted.model_dump(mode="json"))

    ledger = [
        entry(1, "CP-COLLAB-MEETING", 12_000),
        entry(2, "LEAD-AT-CLUSTER", 26_000),
        entry(3, "LEAD-AT-CLUSTER", 26_000),
        entry(4, "LEAD-AT-CLUSTER", -26_000, reverses=3),
    ]
    await platform.payments.store.append("ledger-7A1-2024-25", None, ledger)
    await platform.reporting_knows("SELECT 1 FROM {schema}.ledger_entries HAVING count(*) = 4")
    report = await platform.stub.GetClusterReport(REPORT, metadata=BOARD)
    assert [
        (p.rule_id, p.accrued_pence, p.scheduled_pence, p.entries) for p in report.payments
    ] == [
        ("CP-COLLAB-MEETING", 12_000, 0, 1),
        ("LEAD-AT-CLUSTER", 26_000, 0, 3),
    ]
    exported = await platform.stub.ExportClusterReport(
        pb.ExportClusterReportRequest(cluster_id=CLUSTER, financial_year=FY, format="csv"),
        metadata=BOARD,
    )
    assert "payments_accrued_pence,,,,LEAD-AT-CLUSTER,26000" in exported.content.decode()
