import configparser
import os
import subprocess
import sys
from pathlib import Path

import pytest

from clwstwr_ops.importrules import IO_LIBRARIES, Tree, contracts, render, write_config


def _package(root: Path, dotted: str, source: str = "") -> None:
    """Create package ``dotted`` (with its parents) under source root ``root``."""
    path = root
    for part in dotted.split("."):
        path = path / part
        path.mkdir(parents=True, exist_ok=True)
        (path / "__init__.py").touch()
    if source:
        (path / "__init__.py").write_text(source)


def _service(project: Path, name: str, layers: list[str]) -> Path:
    src = project / "services" / name / "src"
    _package(src, name)
    for layer in layers:
        _package(src, f"{name}.{layer}")
    return src


def _kernel(project: Path) -> None:
    src = project / "libs" / "kernel" / "src"
    for module in ("kernel", "kernel.eventstore", "kernel.postgres"):
        _package(src, module)
    for pure in ("events", "errors"):
        (src / "kernel" / f"{pure}.py").write_text("")
    (src / "kernel" / "settings.py").write_text("")


def test_without_services_only_the_kernel_rule_applies(tmp_path: Path) -> None:
    _kernel(tmp_path)

    found = contracts(Tree(tmp_path))

    assert list(found) == ["kernel-pure"]
    assert found["kernel-pure"]["source_modules"] == ["kernel.events", "kernel.errors"]
    assert found["kernel-pure"]["forbidden_modules"] == list(IO_LIBRARIES)


def test_services_get_independence_library_layer_and_domain_rules(tmp_path: Path) -> None:
    _kernel(tmp_path)
    _service(tmp_path, "meetings", ["entrypoints", "adapters", "application", "domain"])
    _service(tmp_path, "payments", ["application", "domain"])

    found = contracts(Tree(tmp_path))

    assert found["services-independent"]["modules"] == ["meetings", "payments"]
    assert found["libraries-import-no-service"]["source_modules"] == ["kernel"]
    assert found["meetings-layers"]["layers"] == [
        "meetings.entrypoints",
        "meetings.adapters",
        "meetings.application",
        "meetings.domain",
    ]
    assert found["payments-layers"]["layers"] == ["payments.application", "payments.domain"]
    forbidden = found["meetings-pure-domain"]["forbidden_modules"]
    assert set(IO_LIBRARIES) <= set(forbidden)
    assert {"kernel.eventstore", "kernel.postgres", "kernel.settings"} <= set(forbidden)
    assert "kernel.events" not in forbidden


def test_a_single_service_has_nothing_to_be_independent_of(tmp_path: Path) -> None:
    _service(tmp_path, "meetings", ["domain"])

    found = contracts(Tree(tmp_path))

    assert "services-independent" not in found
    assert "meetings-layers" not in found  # one layer is not a layering
    assert "meetings-pure-domain" in found


def test_the_rendered_configuration_reads_back_as_lists(tmp_path: Path) -> None:
    _kernel(tmp_path)
    _service(tmp_path, "meetings", ["application", "domain"])

    config = configparser.ConfigParser()
    config.read_string(render(Tree(tmp_path)))

    assert config["importlinter"]["root_packages"].split() == ["kernel", "meetings"]
    layers = config["importlinter:contract:meetings-layers"]["layers"].split()
    assert layers == ["meetings.application", "meetings.domain"]


@pytest.mark.integration
def test_lint_imports_reports_each_kind_of_violation(tmp_path: Path) -> None:
    meetings = _service(tmp_path, "meetings", ["entrypoints", "application", "domain"])
    payments = _service(tmp_path, "payments", ["domain"])
    (meetings / "meetings" / "application" / "x.py").write_text("import payments.domain\n")
    (meetings / "meetings" / "domain" / "io.py").write_text("import redis\n")
    (meetings / "meetings" / "domain" / "up.py").write_text("import meetings.entrypoints\n")
    config = write_config(tmp_path, tmp_path / "importlinter.ini")
    lint_imports = Path(sys.executable).parent / "lint-imports"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(meetings), str(payments)])}

    result = subprocess.run(  # noqa: S603 - our own venv's lint-imports
        [lint_imports, "--config", str(config), "--no-cache"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )

    assert result.returncode == 1, result.stdout + result.stderr
    assert "meetings is not allowed to import payments" in result.stdout
    assert "meetings.domain is not allowed to import redis" in result.stdout
    assert "meetings.domain is not allowed to import meetings.entrypoints" in result.stdout
    assert "payments is layered" not in result.stdout
