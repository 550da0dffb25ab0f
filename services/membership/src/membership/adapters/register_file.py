"""The reference register shipped with the service, read into the domain's register entries.

PCPGs are derived, since the register lists only each cluster's local authority: a cluster
plans under its local authority's Pan Cluster Planning Group (``7A1-gwynedd``, "Gwynedd
PCPG"), except in boards listed in ``planning.json`` as running one regional PCPG (Swansea
Bay: ``7A3-swansea-bay``, "Swansea Bay PCPG") for all their clusters.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

from membership.application.handlers import Register
from membership.domain.register import BoardEntry, ClusterEntry, Profession


def _read(name: str) -> Any:  # noqa: ANN401 - JSON is untyped until read into entries
    text = (resources.files("membership.adapters") / "register" / name).read_text("utf-8")
    return json.loads(text)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def pcpg_of(board: str, local_authority: str, regional: dict[str, str]) -> tuple[str, str]:
    """The id and name of the PCPG a cluster of ``board`` in ``local_authority`` plans under."""
    area = regional.get(board, local_authority)
    return f"{board}-{_slug(area)}", f"{area} PCPG"


def load_register() -> Register:
    """The packaged register: 7 boards, 60 clusters, and the collaboratives' professions."""
    register, planning = _read("wales-register.json"), _read("planning.json")
    regional: dict[str, str] = planning["regional_pcpgs"]
    boards = [
        BoardEntry(ods_code=b["ods_code"], name=b["name"], name_cy=b["name_cy"])
        for b in register["health_boards"]
    ]
    clusters = [
        ClusterEntry(
            cluster_id=c["id"],
            health_board=c["health_board"],
            name=c["name"],
            name_cy=c["name_cy"],
            local_authority=c["local_authority"],
            population=c["population"],
            pcpg_id=pcpg_of(c["health_board"], c["local_authority"], regional)[0],
            pcpg_name=pcpg_of(c["health_board"], c["local_authority"], regional)[1],
        )
        for c in register["clusters"]
    ]
    professions = [Profession(code=p["code"], name=p["name"]) for p in planning["professions"]]
    return Register(boards=boards, clusters=clusters, professions=professions)
