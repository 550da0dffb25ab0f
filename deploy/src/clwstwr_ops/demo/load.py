"""One financial year of Wales, loaded into a running platform through its public gRPC APIs.

Cluster by cluster, so the first clusters' reports fill while the rest load: the cluster's
organisations, people, memberships, leads and terms of reference through membership
(``membership_wales``), then, once meetings has learned them from membership's events, a year
of its bodies' meetings through meetings (``meetings_wales``: agenda, attendance, a
declaration, a decision, actions, held). A few clusters are in flight at once, so one waits for
meetings to catch up while another is being sent.

Every command carries an idempotency key derived from the plan (seeded, so the same every
run), and the callers' subjects are the same every run, so a re-run replays what was done and
finishes what was not. Services keep idempotency keys for a day; after that, a cluster whose
first practice's ODS code is already registered is reported as loaded before and skipped.
A meeting that turns out inquorate takes no decision, as the rules say; that is counted, not
an error.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import grpc
from google.protobuf.message import Message
from grpc import aio

from clwstwr.membership.v1 import membership_service_pb2 as mpb
from clwstwr_ops.demo.meetings_wales import QUORUM, BodyPlan, Command, meeting_scripts
from clwstwr_ops.demo.membership_wales import START, Call, ClusterPlan, Seat, plan_wales
from clwstwr_ops.errors import OpsError
from clwstwr_ops.operate.api_clients import ApiClients
from kernel.grpc.errors import error_reason

#: The seed of the demo's Wales: the same organisations, people and meetings every run.
DEMO_SEED = 2026
#: Everyone joins in April or May 2024, so sits on their bodies before the first meeting (June).
JOINED_WITHIN_DAYS = 60
#: Clusters being loaded at once.
CLUSTERS_IN_FLIGHT = 2
#: The financial year the meetings fall in (``meetings_wales.QUARTERS``).
FINANCIAL_YEAR = "2024/25"


class Progress(Protocol):
    def planned(self, clusters: int, commands: int) -> None: ...
    def sent(self, commands: int) -> None: ...
    def cluster_done(self, cluster_id: str, *, skipped: bool) -> None: ...


@dataclass
class Tally:
    """What the load did: commands by RPC, clusters loaded and skipped, inquorate meetings."""

    commands: Counter[str] = field(default_factory=Counter)
    loaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    inquorate_decisions: int = 0


class CommandFailed(OpsError):
    """A command the platform refused, with its status code and ``ErrorInfo`` reason."""

    def __init__(self, scope: str, rpc: str, error: aio.AioRpcError) -> None:
        self.code, self.reason = error.code(), error_reason(error)
        super().__init__(
            f"{scope}: {rpc} failed: {self.code.name} {self.reason or ''} {error.details()}"
        )


#: Waits until meetings has applied every membership event committed so far.
MeetingsCatchUp = Callable[[], Awaitable[None]]


async def plan_demo(
    clients: ApiClients, boards: Sequence[str], clusters: int | None
) -> list[ClusterPlan]:
    """The demo's Wales as planned from the register: every cluster, or ``boards``' clusters.

    ``clusters``, if given, keeps only the first that many.
    """

    async def read(rpc: str, request: Message, token: str) -> Any:  # noqa: ANN401 - the RPC's reply
        return await clients.call("membership", rpc, request, token)

    plans = await plan_wales(read, DEMO_SEED, joined_within_days=JOINED_WITHIN_DAYS)
    if boards:
        wanted = {f"board-{board.lower()}" for board in boards}
        plans = [plan for plan in plans if plan.token in wanted]
    return plans[:clusters] if clusters is not None else plans


async def load_demo(
    clients: ApiClients,
    plans: Sequence[ClusterPlan],
    meetings_catch_up: MeetingsCatchUp,
    progress: Progress,
) -> Tally:
    loader = _Loader(clients, meetings_catch_up, progress)
    progress.planned(len(plans), sum(commands_of(plan) for plan in plans))
    in_flight = asyncio.Semaphore(CLUSTERS_IN_FLIGHT)

    async def cluster(plan: ClusterPlan) -> None:
        async with in_flight:
            await loader.load_cluster(plan)

    try:
        async with asyncio.TaskGroup() as group:
            for plan in plans:
                group.create_task(cluster(plan))
    except* OpsError as failed:
        raise failed.exceptions[0] from None
    return loader.tally


class _Loader:
    def __init__(
        self, clients: ApiClients, meetings_catch_up: MeetingsCatchUp, progress: Progress
    ) -> None:
        self._clients = clients
        self._catch_up = meetings_catch_up
        self._progress = progress
        self.tally = Tally()

    async def load_cluster(self, plan: ClusterPlan) -> None:
        if not await self._membership(plan):
            self.tally.skipped.append(plan.cluster_id)
            self._progress.sent(commands_of(plan))
            self._progress.cluster_done(plan.cluster_id, skipped=True)
            return
        await self._catch_up()
        await asyncio.gather(
            *(self._meeting(body, n, script) for body, n, script in _meetings(plan))
        )
        self.tally.loaded.append(plan.cluster_id)
        self._progress.cluster_done(plan.cluster_id, skipped=False)

    async def _membership(self, plan: ClusterPlan) -> bool:
        """Send the cluster's membership; False if an earlier run loaded it (see the module)."""
        first, *others = plan.organisation_calls()
        try:
            await self._send(plan.cluster_id, "org", 0, first)
        except CommandFailed as failed:
            if failed.code == grpc.StatusCode.ALREADY_EXISTS:
                return False
            raise
        await self._send_all(plan.cluster_id, "org", others, first_index=1)
        await self._send_all(plan.cluster_id, "person", plan.person_calls())
        await self._send_all(plan.cluster_id, "member", plan.membership_calls())
        await self._send_all(plan.cluster_id, "lead", plan.appointment_calls())
        await self._send_all(plan.cluster_id, "terms", _terms_calls(plan))
        return True

    async def _send_all(
        self, scope: str, phase: str, calls: Sequence[Call], first_index: int = 0
    ) -> None:
        await asyncio.gather(
            *(self._send(scope, phase, n, c) for n, c in enumerate(calls, first_index))
        )

    async def _send(self, scope: str, phase: str, n: int, call: Call) -> None:
        rpc, request, token, answered = call
        key = f"demo-{DEMO_SEED}-{scope}-{phase}-{n}"
        answered(await self._command("membership", scope, rpc, request, token, key))

    async def _meeting(self, body: BodyPlan, n: int, script: list[Command]) -> None:
        """One meeting, its commands in order (each after the meeting id is known)."""
        meeting_id = ""
        for step, (rpc, request) in enumerate(script):
            if rpc != "ScheduleMeeting":
                request.meeting_id = meeting_id
            key = f"demo-{DEMO_SEED}-{body.body_id}-meeting{n}-{step}"
            try:
                reply = await self._command("meetings", body.body_id, rpc, request, body.token, key)
            except CommandFailed as failed:
                if failed.reason != "MEETING_NOT_QUORATE":
                    raise
                self.tally.inquorate_decisions += 1  # no decision: the rules at work
                continue
            meeting_id = meeting_id or reply.meeting_id

    async def _command(
        self, service: str, scope: str, rpc: str, request: Message, token: str, key: str
    ) -> Any:  # noqa: ANN401 - the RPC's own reply type
        try:
            reply = await self._clients.call(service, rpc, request, token, key)
        except aio.AioRpcError as error:
            raise CommandFailed(scope, rpc, error) from error
        finally:
            self._progress.sent(1)
        self.tally.commands[rpc] += 1
        return reply


def commands_of(plan: ClusterPlan) -> int:
    """How many commands the cluster takes (its plan's ids may still be empty)."""
    membership = (
        len(plan.orgs) + 2 * len(plan.seats) + len(plan.representatives())
        + len(plan.leads()) + len(plan.bodies())
    )  # fmt: skip
    return membership + sum(len(script) for _, _, script in _meetings(plan))


def _terms_calls(plan: ClusterPlan) -> list[Call]:
    """Each body's terms of reference, reviewed as the year begins: the quorum decisions need."""
    rule = mpb.QuorumRule(minimum_core_members=QUORUM)
    return [
        (
            "RecordTermsOfReferenceReview",
            mpb.RecordTermsOfReferenceReviewRequest(
                body_id=body, reviewed_on=START.isoformat(), quorum=rule
            ),
            plan.token,
            lambda _: None,
        )
        for body in plan.bodies()
    ]


def _meetings(plan: ClusterPlan) -> list[tuple[BodyPlan, int, list[Command]]]:
    """Each of the cluster's bodies' meetings: (body, its number, its commands).

    Each body's meetings come from a generator seeded by the body alone, so a subset of the
    clusters gets the same meetings as a full load.
    """
    found = []
    for body in _bodies(plan):
        rng = random.Random(f"{DEMO_SEED}-{body.body_id}")  # noqa: S311 - seeded demo data
        found += [(body, n, script) for n, script in enumerate(meeting_scripts(body, rng))]
    return found


def _bodies(plan: ClusterPlan) -> list[BodyPlan]:
    """The cluster and its collaboratives with their members, each body's lead (its chair) first.

    Bodies nobody sits on hold no meetings.
    """
    seats: dict[str, list[Seat]] = {body: [] for body in plan.bodies()}
    for seat in plan.seats:
        seats[seat.body_id].append(seat)
    seats[plan.cluster_id] = plan.representatives()
    leads = plan.leads()
    profession = {body: name for name, body in plan.collaboratives.items()}
    board = plan.token.removeprefix("board-").upper()
    bodies = []
    for body_id, sitting in seats.items():
        lead = leads.get(body_id)
        ordered = [lead, *(s for s in sitting if s is not lead)] if lead else sitting
        if not ordered:
            continue
        kind = "cluster" if body_id == plan.cluster_id else "collaborative"
        people = [seat.person_id or f"planned-{id(seat)}" for seat in ordered]
        bodies.append(
            BodyPlan(body_id, kind, board, "", plan.cluster_id, profession.get(body_id), people)
        )
    return bodies
