import socket
from pathlib import Path

from clwstwr_ops.ports import (
    WELL_KNOWN,
    RememberedPorts,
    choose_port,
    ephemeral_port,
    is_free,
    sequential_ports,
)


def test_a_listening_port_is_not_free() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert not is_free(port)


def test_an_ephemeral_port_is_free_and_never_a_well_known_one() -> None:
    port = ephemeral_port()
    assert is_free(port)
    assert port not in WELL_KNOWN


def test_the_preferred_port_is_kept_when_free() -> None:
    assert choose_port(55432, free=lambda _: True, pick=lambda: 40000) == 55432


def test_a_busy_preferred_port_gives_way_to_a_free_one() -> None:
    assert choose_port(55432, free=lambda _: False, pick=lambda: 40000) == 40000


def test_ports_promised_to_another_server_or_well_known_are_avoided() -> None:
    picks = iter([6379, 40000, 40001])

    assert choose_port(5432, free=lambda _: True, pick=lambda: next(picks)) == 40000
    assert choose_port(40001, taken={40001}, free=lambda _: True, pick=lambda: 40002) == 40002


def test_grpc_ports_count_up_and_skip_busy_ones() -> None:
    busy = {50052}

    assert sequential_ports(3, 50051, free=lambda p: p not in busy) == [50051, 50053, 50054]
    assert sequential_ports(0, 50051) == []


def test_remembered_ports_survive_a_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "ports.json"
    RememberedPorts(postgres=55432, redis=56379).save(path)

    assert RememberedPorts.load(path) == RememberedPorts(postgres=55432, redis=56379)


def test_a_missing_or_corrupt_ports_file_means_nothing_is_remembered(tmp_path: Path) -> None:
    corrupt = tmp_path / "ports.json"
    corrupt.write_text("{not json")

    assert RememberedPorts.load(tmp_path / "missing.json") == RememberedPorts()
    assert RememberedPorts.load(corrupt) == RememberedPorts()
