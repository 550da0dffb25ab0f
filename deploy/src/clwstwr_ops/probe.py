"""A gRPC health probe: ``python -m clwstwr_ops.probe [HOST:PORT] [--service NAME]``.

Exits 0 when the server answers ``grpc.health.v1.Health/Check`` with ``SERVING``, 1 otherwise
(not serving, unreachable, too slow). Docker Compose health checks run it inside the service's
own image, so it needs nothing that image lacks (grpcio and grpcio-health-checking come with the
kernel) and downloads nothing; Kubernetes uses its native ``grpc`` probes instead. Health needs
no bearer token (``kernel.grpc.server``). Kept to argparse: it runs every few seconds.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

import grpc
from grpc_health.v1 import health_pb2

SERVING = health_pb2.HealthCheckResponse.SERVING
CHECK = "/grpc.health.v1.Health/Check"


def check(target: str, service: str = "", timeout: float = 3.0) -> tuple[bool, str]:
    """Whether ``target`` reports ``service`` (``""``: the server as a whole) as serving."""
    with grpc.insecure_channel(target) as channel:
        # The method by name: the stubs' HealthStub declares no methods for type checking.
        health_check = channel.unary_unary(
            CHECK,
            request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
            response_deserializer=health_pb2.HealthCheckResponse.FromString,
        )
        try:
            response = health_check(health_pb2.HealthCheckRequest(service=service), timeout=timeout)
        except grpc.RpcError as error:
            code = error.code() if isinstance(error, grpc.Call) else None
            return False, f"{target}: {code.name if code else 'error'}"
    status = health_pb2.HealthCheckResponse.ServingStatus.Name(response.status)
    return response.status == SERVING, f"{target}: {status}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m clwstwr_ops.probe", description=__doc__)
    default = f"127.0.0.1:{os.environ.get('CLWSTWR_GRPC_PORT', '50051')}"
    parser.add_argument("target", nargs="?", default=default, help=f"default {default}")
    parser.add_argument("--service", default="", help="a service name; default: the server")
    parser.add_argument("--timeout", type=float, default=3.0, help="seconds (default 3)")
    args = parser.parse_args(argv)
    serving, message = check(args.target, args.service, args.timeout)
    print(message, file=sys.stdout if serving else sys.stderr)
    return 0 if serving else 1


if __name__ == "__main__":
    raise SystemExit(main())
