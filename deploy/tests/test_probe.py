from collections.abc import Iterator
from concurrent import futures

import grpc
import pytest
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from clwstwr_ops.probe import check, main


@pytest.fixture
def server() -> Iterator[tuple[str, health.HealthServicer]]:
    servicer = health.HealthServicer()
    grpc_server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    health_pb2_grpc.add_HealthServicer_to_server(servicer, grpc_server)
    port = grpc_server.add_insecure_port("127.0.0.1:0")
    grpc_server.start()
    yield f"127.0.0.1:{port}", servicer
    grpc_server.stop(None)


def test_a_serving_server_passes(server: tuple[str, health.HealthServicer]) -> None:
    target, _ = server
    assert check(target) == (True, f"{target}: SERVING")
    assert main([target]) == 0


def test_a_server_that_is_not_serving_fails(server: tuple[str, health.HealthServicer]) -> None:
    target, servicer = server
    servicer.set("", health_pb2.HealthCheckResponse.NOT_SERVING)

    assert check(target) == (False, f"{target}: NOT_SERVING")
    assert main([target]) == 1


def test_a_named_service_is_checked_by_name(server: tuple[str, health.HealthServicer]) -> None:
    target, servicer = server
    servicer.set("clwstwr.membership.v1.MembershipService", health_pb2.HealthCheckResponse.SERVING)

    assert main([target, "--service", "clwstwr.membership.v1.MembershipService"]) == 0
    assert check(target, "unknown.Service") == (False, f"{target}: NOT_FOUND")


def test_nothing_listening_fails_quickly(unused_tcp_port: int) -> None:
    serving, message = check(f"127.0.0.1:{unused_tcp_port}", timeout=1.0)

    assert not serving
    assert message == f"127.0.0.1:{unused_tcp_port}: UNAVAILABLE"
