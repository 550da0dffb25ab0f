"""The packaged register reads into valid entries, with PCPGs derived as documented."""

import json
from collections import Counter
from pathlib import Path

from membership.adapters.register_file import load_register, pcpg_of

REGISTER_FILE = Path(__file__).parents[2] / "src/membership/adapters/register/wales-register.json"


def test_the_register_holds_seven_boards_and_sixty_clusters() -> None:
    register = load_register()
    assert [b.ods_code for b in register.boards] == [f"7A{n}" for n in range(1, 8)]
    assert len(register.clusters) == 60
    by_board = Counter(c.health_board for c in register.clusters)
    stated = json.loads(REGISTER_FILE.read_text())["health_boards"]
    assert by_board == {b["ods_code"]: b["cluster_count"] for b in stated}
    assert sorted(by_board.values()) == sorted([11, 14, 9, 8, 7, 3, 8])
    for board in register.boards:
        board.validate()
    for cluster in register.clusters:
        cluster.validate()
    for profession in register.professions:
        profession.validate()


def test_professions_are_data() -> None:
    codes = [p.code for p in load_register().professions]
    assert codes == [
        "general-practice",
        "community-pharmacy",
        "dental",
        "optometry",
        "community-nursing",
        "allied-health-professionals",
        "social-care",
    ]


def test_pcpgs_are_per_local_authority_except_swansea_bays_regional_one() -> None:
    regional = {"7A3": "Swansea Bay"}
    assert pcpg_of("7A1", "Isle of Anglesey", regional) == (
        "7A1-isle-of-anglesey",
        "Isle of Anglesey PCPG",
    )
    assert pcpg_of("7A3", "Neath Port Talbot", regional) == ("7A3-swansea-bay", "Swansea Bay PCPG")
    pcpgs = {c.pcpg_id for c in load_register().clusters if c.health_board == "7A3"}
    assert pcpgs == {"7A3-swansea-bay"}
