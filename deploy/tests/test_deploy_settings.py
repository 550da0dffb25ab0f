"""The deploy files set only settings that exist, and run every service.

A misspelt ``CLWSTWR_*`` variable is ignored by pydantic-settings (``extra="ignore"``), so a
typo in a compose or Kubernetes file would silently leave a default in force.
"""

import importlib.util
import inspect
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from clwstwr_ops.manifests import SERVICES
from kernel.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY_ONLY = {"CLWSTWR_SEED_ESTABLISHED_ON"}
"""Read by the seed job's command line, not by a settings class."""


def _known_settings() -> set[str]:
    """Every ``CLWSTWR_*`` variable the kernel or a service's settings class reads."""
    classes: set[type[ServiceSettings]] = {ServiceSettings}
    for path in sorted(ROOT.glob("services/*/src/*/settings.py")):
        module = _load(path)
        classes |= {
            value
            for _, value in inspect.getmembers(module, inspect.isclass)
            if issubclass(value, ServiceSettings)
        }
    return {f"CLWSTWR_{field.upper()}" for cls in classes for field in cls.model_fields}


def _load(path: Path) -> ModuleType:
    """A service's settings module from its file: the service need not be installed yet."""
    spec = importlib.util.spec_from_file_location(f"deploy_check_{path.parent.name}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _env_file_keys(path: Path) -> set[str]:
    lines = (line.strip() for line in path.read_text().splitlines())
    return {line.split("=", 1)[0] for line in lines if line and not line.startswith("#")}


def _yaml(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def _set_in_deploy_files() -> dict[str, set[str]]:
    compose = _yaml(ROOT / "docker-compose.yml")[0]
    k8s = ROOT / "deploy" / "k8s"
    objects = [
        doc
        for path in [*k8s.glob("base/*.yaml"), *k8s.glob("overlays/*/*.yaml")]
        for doc in _yaml(path)
        if doc.get("kind") in ("ConfigMap", "Secret")
    ]
    return {
        "docker-compose.yml": set(compose["x-service"]["environment"]),
        "deploy/compose.env.example": _env_file_keys(ROOT / "deploy" / "compose.env.example"),
        "deploy/k8s": {
            key for doc in objects for key in {**doc.get("data", {}), **doc.get("stringData", {})}
        },
    }


@pytest.mark.parametrize(
    "where", ["docker-compose.yml", "deploy/compose.env.example", "deploy/k8s"]
)
def test_every_clwstwr_variable_set_for_deployment_is_a_real_setting(where: str) -> None:
    variables = {key for key in _set_in_deploy_files()[where] if key.startswith("CLWSTWR_")}

    assert variables, where
    assert variables - _known_settings() - DEPLOY_ONLY == set()


def test_compose_runs_every_service_from_its_own_module() -> None:
    services = _yaml(ROOT / "docker-compose.yml")[0]["services"]

    for name in SERVICES:
        assert services[name]["command"] == ["python", "-m", name]
        assert services[name]["image"] == services["membership"]["image"]  # one image for all
