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
    registrations racing for one code cannot both win.
    """

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.organisation_id: str | None = None

    def claim(self, ods_code: str, organisation_id: str) -> None:
        """Claim the code for ``organisation_id``; claiming it again for the same one is a no-op.

        Raises:
            AlreadyExists: another organisation holds the code.
        """
        if self.organisation_id == organisation_id:
            return
        if self.organisation_id is not None:
            raise AlreadyExists(f"ODS code {ods_code} belongs to {self.organisation_id}")
        self._record(OdsCodeClaimed(ods_code=ods_code, organisation_id=organisation_id))

    @override
    def _apply(self, event: OdsClaimEvent) -> None:
        self.organisation_id = event.organisation_id


class Organisation(Aggregate[OrganisationEvent]):
    """An organisation in a cluster (stream ``organisation-<id>``)."""

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.facts: OrganisationFacts | None = None

    def register(self, organisation_id: str, new: NewOrganisation, cluster: Body) -> None:
        """Register the organisation in ``cluster``; a repeat (a retried command) does nothing."""
        new.validate()
        if self.exists:
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
        self.facts = OrganisationFacts(
            organisation_id=event.organisation_id,
            ods_code=event.ods_code,
            kind=event.kind,
            cluster_id=event.cluster_id,
            pcpg_id=event.pcpg_id,
            health_board=event.health_board,
            health_board_salaried=event.health_board_salaried,
        )
