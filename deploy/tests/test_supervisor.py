import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

from clwstwr_ops.supervisor import FIRST_GRPC_PORT, Service, discover, plan, run_until_interrupted

SERVICE = """
import os, pathlib, signal, sys, time
out = pathlib.Path(os.environ["OUT"])
def stop(signum, frame):
    (out / "stopped").write_text(str(signum))
    sys.exit(0)
signal.signal(signal.SIGINT, stop)
signal.signal(signal.SIGTERM, stop)
(out / "started").write_text(os.environ["CLWSTWR_GRPC_PORT"])
while True:
    time.sleep(0.1)
"""


def _main(project: Path, directory: str, package: str, source: str = "") -> Path:
    main = project / "services" / directory / "src" / package / "__main__.py"
    main.parent.mkdir(parents=True)
    main.write_text(source)
    return main.parent.parent


def test_services_are_discovered_by_their_main_module(tmp_path: Path) -> None:
    _main(tmp_path, "payments", "payments")
    _main(tmp_path, "meetings-service", "meetings")
    (tmp_path / "services" / "half-done" / "src" / "halfdone").mkdir(parents=True)

    assert discover(tmp_path) == ["meetings", "payments"]


def test_each_service_gets_its_own_grpc_port_in_name_order() -> None:
    services = plan(["meetings", "payments"], first_port=FIRST_GRPC_PORT + 100)

    assert [s.name for s in services] == ["meetings", "payments"]
    assert services[0].grpc_port < services[1].grpc_port
    assert services[0].endpoint == f"127.0.0.1:{services[0].grpc_port}"


def _interrupt_once(started: Path) -> None:
    deadline = time.monotonic() + 30
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(os.getpid(), signal.SIGINT)


@pytest.mark.integration
def test_ctrl_c_is_forwarded_and_the_services_stop(tmp_path: Path) -> None:
    src = _main(tmp_path, "fake", "fakeservice", SERVICE)
    env = {**os.environ, "PYTHONPATH": str(src), "OUT": str(tmp_path)}
    threading.Thread(target=_interrupt_once, args=(tmp_path / "started",), daemon=True).start()

    status = run_until_interrupted([Service("fakeservice", 50999)], env)

    assert status == 0
    assert (tmp_path / "started").read_text() == "50999"
    assert (tmp_path / "stopped").read_text() == str(int(signal.SIGINT))


@pytest.mark.integration
def test_a_service_that_dies_stops_the_platform_with_an_error(tmp_path: Path) -> None:
    src = _main(tmp_path, "fake", "crashing", "raise SystemExit(3)")
    env = {**os.environ, "PYTHONPATH": str(src)}

    assert run_until_interrupted([Service("crashing", 50998)], env) == 1


def test_the_interpreter_is_the_projects_own() -> None:
    assert Path(sys.executable).exists()
