"""A realistic, deterministic Wales for the membership benchmark, as gRPC calls per cluster.

Per cluster (the register's 60, read back through the API): about 42 organisations (GP
practices with ``W`` + 5-digit ODS codes, a few of them health-board-managed, pharmacies with
``F`` + 4 characters, dental and optometry practices, third-sector bodies, salaried health
board teams), about 97 people each sitting on the collaborative of their profession for their
organisation, one representative per organisation on the cluster itself, a collaborative lead
per collaborative (usual workplace: their organisation) and a cluster lead from general practice.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from clwstwr.membership.v1 import membership_service_pb2 as pb

#: (rpc, request, token, what to do with the reply)
Call = tuple[str, Any, str, Callable[[Any], None]]
Request = tuple[str, Any, str]
Caller = Callable[[str, Any, str], Awaitable[Any]]


class PlacedBody(Protocol):
    """A body as the generators plan it: enough to say where it sits in the register."""

    @property
    def body_id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def health_board(self) -> str: ...
    @property
    def cluster_id(self) -> str | None: ...
    @property
    def pcpg_id(self) -> str: ...
    @property
    def profession(self) -> str | None: ...


def body_place(body: PlacedBody) -> dict[str, str | None]:
    """The body's place in the register, as the events about it name it."""
    return {
        "body_id": body.body_id,
        "body_kind": body.kind,
        "health_board": body.health_board,
        "cluster_id": body.cluster_id,
        "pcpg_id": body.pcpg_id,
        "profession": body.profession,
    }


FIRST = "Aled Bethan Carys Dafydd Eleri Ffion Gareth Gwen Huw Iwan Llinos Manon Rhys Siân Tomos"
LAST = "Davies Evans Hughes Jones Lewis Morgan Owen Price Roberts Thomas Williams Powell Rees"
#: profession -> (organisation kind, role title, members per organisation as (low, high))
PROFESSIONS: dict[str, tuple[str, str, tuple[int, int]]] = {
    "general-practice": ("gp_practice", "GP", (2, 2)),
    "community-pharmacy": ("community_pharmacy", "Community pharmacist", (1, 2)),
    "dental": ("dental_practice", "Dentist", (1, 2)),
    "optometry": ("optometry_practice", "Optometrist", (1, 2)),
    "community-nursing": ("health_board_team", "District nurse", (4, 8)),
    "allied-health-professionals": ("health_board_team", "Physiotherapist", (4, 8)),
    "social-care": ("third_sector", "Social care lead", (2, 4)),
}
#: organisation kind -> how many per cluster (low, high)
ORGANISATIONS = {
    "gp_practice": (5, 9),
    "community_pharmacy": (10, 15),
    "dental_practice": (6, 9),
    "optometry_practice": (5, 8),
    "third_sector": (3, 6),
    "health_board_team": (2, 4),
}
START = dt.date(2024, 4, 1)


@dataclass
class Org:
    kind: str
    name: str
    ods_code: str
    salaried: bool
    id: str = ""


@dataclass
class Seat:
    """One person's place on a collaborative, for their organisation."""

    body_id: str
    org: Org
    role_title: str
    kind: str
    start: dt.date
    name: str
    person_id: str = ""


@dataclass
class ClusterPlan:
    cluster_id: str
    token: str
    collaboratives: dict[str, str]
    orgs: list[Org] = field(default_factory=list)
    seats: list[Seat] = field(default_factory=list)

    def bodies(self) -> list[str]:
        return [self.cluster_id, *self.collaboratives.values()]

    def organisation_calls(self) -> list[Call]:
        def call(org: Org) -> Call:
            request = pb.RegisterOrganisationRequest(
                name=org.name,
                kind=org.kind,
                ods_code=org.ods_code,
                cluster_id=self.cluster_id,
                health_board_salaried=org.salaried,
            )
            return (
                "RegisterOrganisation",
                request,
                self.token,
                lambda r: setattr(org, "id", r.organisation_id),
            )

        return [call(org) for org in self.orgs]

    def person_calls(self) -> list[Call]:
        def call(seat: Seat) -> Call:
            request = pb.RegisterPersonRequest(
                name=seat.name, role_title=seat.role_title, contact=f"{seat.name}@wales.nhs.uk"
            )
            return (
                "RegisterPerson",
                request,
                self.token,
                lambda r: setattr(seat, "person_id", r.person_id),
            )

        return [call(seat) for seat in self.seats]

    def representatives(self) -> list[Seat]:
        """The first seat of each organisation: that person also sits on the cluster."""
        first: dict[int, Seat] = {}
        for seat in self.seats:
            first.setdefault(id(seat.org), seat)
        return list(first.values())

    def membership_calls(self) -> list[Call]:
        def enrol(body_id: str, seat: Seat, kind: str, title: str) -> Call:
            request = pb.EnrolMemberRequest(
                body_id=body_id,
                person_id=seat.person_id,
                kind=kind,
                role_title=title,
                organisation_id=seat.org.id,
                start_date=seat.start.isoformat(),
            )
            return "EnrolMember", request, self.token, lambda _: None

        cluster = [
            enrol(self.cluster_id, s, *self._cluster_role(s.org)) for s in self.representatives()
        ]
        return [enrol(s.body_id, s, s.kind, s.role_title) for s in self.seats] + cluster

    @staticmethod
    def _cluster_role(org: Org) -> tuple[str, str]:
        if org.kind == "third_sector":
            return "in_attendance", "Third Sector representative"
        return "core", f"{org.kind.replace('_', ' ').capitalize()} representative"

    def appointment_calls(self) -> list[Call]:
        def appoint(body_id: str, seat: Seat, role: str) -> Call:
            request = pb.AppointLeadRequest(
                body_id=body_id,
                person_id=seat.person_id,
                role=role,
                start_date=seat.start.isoformat(),
                usual_workplace_id=seat.org.id,
            )
            return "AppointLead", request, self.token, lambda _: None

        leads = self.leads()
        gp = leads.pop(self.cluster_id)
        calls = [appoint(body, seat, "collaborative_lead") for body, seat in leads.items()]
        return [*calls, appoint(self.cluster_id, gp, "cluster_lead")]

    def leads(self) -> dict[str, Seat]:
        """Each body's lead: a collaborative's first core member; a GP representative's cluster."""
        leads: dict[str, Seat] = {}
        for seat in self.seats:
            if seat.kind == "core":
                leads.setdefault(seat.body_id, seat)
        gp = next(s for s in self.representatives() if s.org.kind == "gp_practice")
        return {**leads, self.cluster_id: gp}

    def newcomer(self, rng: random.Random) -> Request:
        """A further person to register, for the load that runs beside the queries."""
        name = f"{rng.choice(FIRST.split())} {rng.choice(LAST.split())}"
        return "RegisterPerson", pb.RegisterPersonRequest(name=name), self.token

    def enrolment(self, rng: random.Random, person_id: str) -> Request:
        seat = rng.choice(self.seats)
        request = pb.EnrolMemberRequest(
            body_id=seat.body_id,
            person_id=person_id,
            kind="in_attendance",
            role_title=seat.role_title,
            organisation_id=seat.org.id,
            start_date=dt.datetime.now(dt.UTC).date().isoformat(),
        )
        return "EnrolMember", request, self.token


async def plan_wales(
    call: Caller, seed: int = 2026, joined_within_days: int = 400
) -> list[ClusterPlan]:
    """Read the seeded clusters and collaboratives back, then plan each cluster's people.

    Each person joins within ``joined_within_days`` of ``START`` (the demo keeps it short, so
    everyone sits on their bodies before the year's first meeting).
    """
    rng, clusters, page_token = random.Random(seed), [], ""
    while True:
        page = await call("ListClusters", pb.ListClustersRequest(page_token=page_token), "national")
        clusters.extend(page.clusters)
        if not (page_token := page.next_page_token):
            break
    codes = {
        "gp_practice": iter(f"W{n:05d}" for n in rng.sample(range(100_000), 1000)),
        "community_pharmacy": iter(f"F{n:04d}" for n in rng.sample(range(10_000), 1500)),
        "dental_practice": iter(f"V{n:06d}" for n in rng.sample(range(1_000_000), 1000)),
        "optometry_practice": iter(f"TP{n:04d}" for n in rng.sample(range(10_000), 1000)),
    }
    plans = []
    for cluster in clusters:
        listed = await call(
            "ListCollaboratives", pb.ListCollaborativesRequest(cluster_id=cluster.id), "national"
        )
        bodies = {c.profession: c.id for c in listed.collaboratives}
        plan = ClusterPlan(cluster.id, f"board-{cluster.health_board.lower()}", bodies)
        for kind, (low, high) in ORGANISATIONS.items():
            for n in range(rng.randint(low, high)):
                salaried = kind == "health_board_team" or (
                    kind == "gp_practice" and rng.random() < 0.05
                )
                ods = next(codes[kind]) if kind in codes else ""
                plan.orgs.append(Org(kind, f"{cluster.name} {kind} {n + 1}", ods, salaried))
        for profession, body_id in bodies.items():
            kind, title, (low, high) = PROFESSIONS.get(
                profession, ("third_sector", "Member", (1, 1))
            )
            for org in (o for o in plan.orgs if o.kind == kind):
                for _ in range(rng.randint(low, high)):
                    name = f"{rng.choice(FIRST.split())} {rng.choice(LAST.split())}"
                    member = "core" if rng.random() < 0.85 else "in_attendance"
                    start = START + dt.timedelta(days=rng.randint(0, joined_within_days))
                    plan.seats.append(Seat(body_id, org, title, member, start, name))
        plans.append(plan)
    return plans
