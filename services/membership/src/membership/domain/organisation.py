"""Organisations (practices, pharmacies, teams) and the index that keeps ODS codes unique."""

from __future__ import annotations

from dataclasses import dataclass

from typing_extensions import override

from kernel.aggregate import Aggregate
from kernel.errors import AlreadyExists
from membership.domain.bodies import Body, OrganisationFacts
from membership.domain.organisation_kinds import ORGANISATION_KINDS, kind_problem, ods_problem
from membership.domain.people_events import (
    OdsClaimEvent,
    OdsCodeClaimed,
    OrganisationEvent,
    OrganisationRegistered,
)
from membership.domain.register import check, cluster_id_problem, name_problem


@dataclass(frozen=True, slots=True)
class NewOrganisation:
    """An organisation as a caller describes it (the ODS code already upper-cased)."""

    name: str
    kind: str
    ods_code: str | None
    cluster_id: str
    health_board_salaried: bool

    def validate(self) -> None:
        check(
            ("name", name_problem(self.name)),
            ("kind", kind_problem(self.kind)),
            ("ods_code", ods_problem(self.kind, self.ods_code)),
            ("cluster_id", cluster_id_problem(self.cluster_id)),
        )


class OdsCodeIndex(Aggregate[OdsClaimEvent]):
    """Which organisation holds an ODS code (stream ``ods-<code>``, at most one event).

    Claimed before the organisation is registered, expecting the stream not to exist, so two
    registrations racing for one code cannot both win. The claim names the organisation id,
    so a claim abandoned before its organisation was registered (the process died in between)
    is finished, not refused, by the next registration of the code: it registers under that id.
    """

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.organisation_id: str | None = None

    def claim(self, ods_code: str, organisation_id: str, *, abandoned: bool = False) -> str:
        """Claim the code for ``organisation_id``; return the id to register the organisation as.

        That is ``organisation_id`` for a new claim or a repeat, and the holder's id when the
        claim is ``abandoned`` (its organisation never registered, long after the claim).

        Raises:
            AlreadyExists: another organisation holds the code.
        """
        if self.organisation_id is None:
            self._record(OdsCodeClaimed(ods_code=ods_code, organisation_id=organisation_id))
            return organisation_id
        if self.organisation_id == organisation_id or abandoned:
            return self.organisation_id
        raise AlreadyExists(f"ODS code {ods_code} belongs to {self.organisation_id}")

    @override
    def _apply(self, event: OdsClaimEvent) -> None:
        self.organisation_id = event.organisation_id


class Organisation(Aggregate[OrganisationEvent]):
    """An organisation in a cluster (stream ``organisation-<id>``)."""

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.facts: OrganisationFacts | None = None
        self.name = ""

    def register(self, organisation_id: str, new: NewOrganisation, cluster: Body) -> None:
        """Register the organisation in ``cluster``; a repeat (a retried command) does nothing.

        Raises:
            AlreadyExists: the id is registered already as something else (two registrations
                finishing one dangling ODS code claim: the first wins).
        """
        new.validate()
        if self.facts is not None:
            if (self.facts.ods_code, self.facts.kind, self.facts.cluster_id) != (
                new.ods_code,
                new.kind,
                new.cluster_id,
            ) or self.name != new.name:
                raise AlreadyExists(f"organisation {organisation_id} is registered differently")
            return
        self._record(
            OrganisationRegistered(
                organisation_id=organisation_id,
                ods_code=new.ods_code,
                name=new.name,
                kind=new.kind,
                profession=ORGANISATION_KINDS[new.kind].profession,
                cluster_id=new.cluster_id,
                pcpg_id=cluster.pcpg_id,
                health_board=cluster.health_board,
                health_board_salaried=new.health_board_salaried,
            )
        )

    @override
    def _apply(self, event: OrganisationEvent) -> None:
        self.name = event.name
        self.facts = OrganisationFacts(
            organisation_id=event.organisation_id,
            ods_code=event.ods_code,
            kind=event.kind,
            cluster_id=event.cluster_id,
            pcpg_id=event.pcpg_id,
            health_board=event.health_board,
            health_board_salaried=event.health_board_salaried,
        )
