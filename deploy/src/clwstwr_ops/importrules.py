"""The architecture rules, as an import-linter configuration generated from the tree at lint time.

import-linter fails on a contract naming a package that does not exist, and the set of services
grows over time. So rather than a static ``[tool.importlinter]`` that breaks whenever the tree
changes, the contracts are derived here from what is on disk:

* services are independent of each other;
* the shared libraries (``kernel``, ``contracts``, generated ``clwstwr``) import no service;
* each service is layered ``entrypoints > bootstrap > adapters > application > domain``;
* a service's ``domain`` imports no I/O library and none of the kernel's I/O modules;
* the kernel's pure modules import no I/O library.
"""

from __future__ import annotations

import configparser
import io
from dataclasses import dataclass
from pathlib import Path

IO_LIBRARIES = ("asyncpg", "redis", "faststream", "grpc", "opentelemetry")
"""Packages that do I/O: forbidden in anything meant to be pure."""

LIBRARIES = {
    "kernel": Path("libs/kernel/src"),
    "contracts": Path("libs/contracts/src"),
    "clwstwr": Path("libs/apis/src"),
}
"""Shared library packages and the source roots they live in."""

PURE_KERNEL_MODULES = (
    "kernel.events",
    "kernel.errors",
    "kernel.upcasting",
    "kernel.aggregate",
    "kernel.context",
    "kernel.testing.scenario",
    "kernel.access",
    "kernel.paging",
    "kernel.calendar",
)
"""Kernel modules a domain layer may use: no I/O, directly or through what they import."""

LAYERS = ("entrypoints", "bootstrap", "adapters", "application", "domain")
"""Service layers, outermost first: each may import only the ones after it."""


@dataclass(frozen=True, slots=True)
class Tree:
    """The packages present under the project root, found once."""

    root: Path

    def source_root(self, top: str) -> Path | None:
        if top in LIBRARIES:
            return self.root / LIBRARIES[top]
        matches = sorted(self.root.glob(f"services/*/src/{top}/__init__.py"))
        return matches[0].parent.parent if matches else None

    def exists(self, module: str) -> bool:
        """Whether ``module`` (dotted) is a package or module on disk."""
        top = module.split(".", 1)[0]
        source = self.source_root(top)
        if source is None:
            return False
        path = source.joinpath(*module.split("."))
        return (path / "__init__.py").is_file() or path.with_suffix(".py").is_file()

    def libraries(self) -> list[str]:
        return [name for name in LIBRARIES if self.exists(name)]

    def services(self) -> list[str]:
        packages = self.root.glob("services/*/src/*/__init__.py")
        return sorted({init.parent.name for init in packages})

    def kernel_io_modules(self) -> list[str]:
        """Kernel top-level modules other than the pure ones (and their parents)."""
        allowed = {m for pure in PURE_KERNEL_MODULES for m in _self_and_parents(pure)}
        source = self.root / LIBRARIES["kernel"] / "kernel"
        if not source.is_dir():
            return []
        children = sorted(filter(None, map(_module_name, source.iterdir())))
        return [f"kernel.{name}" for name in children if f"kernel.{name}" not in allowed]


def _module_name(path: Path) -> str | None:
    """The name of the module or package at ``path``, or None if it is neither."""
    if path.suffix == ".py" and path.stem != "__init__":
        return path.stem
    if (path / "__init__.py").is_file():
        return path.name
    return None


def _self_and_parents(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[: i + 1]) for i in range(1, len(parts))]


Contract = dict[str, str | list[str]]


def contracts(tree: Tree) -> dict[str, Contract]:
    """Every contract that applies to the current tree, by id."""
    services, libraries = tree.services(), tree.libraries()
    found: dict[str, Contract] = {}
    pure = [m for m in PURE_KERNEL_MODULES if tree.exists(m)]
    if pure:
        found["kernel-pure"] = {
            "name": "The kernel's pure modules import no I/O library",
            "type": "forbidden",
            "source_modules": pure,
            "forbidden_modules": list(IO_LIBRARIES),
        }
    if len(services) > 1:
        found["services-independent"] = {
            "name": "Services are independent of each other",
            "type": "independence",
            "modules": services,
        }
    if services and libraries:
        found["libraries-import-no-service"] = {
            "name": "Shared libraries import no service",
            "type": "forbidden",
            "source_modules": libraries,
            "forbidden_modules": services,
        }
    for service in services:
        found.update(_service_contracts(tree, service))
    return found


def _service_contracts(tree: Tree, service: str) -> dict[str, Contract]:
    found: dict[str, Contract] = {}
    layers = [f"{service}.{layer}" for layer in LAYERS if tree.exists(f"{service}.{layer}")]
    if len(layers) > 1:
        found[f"{service}-layers"] = {
            "name": f"{service} is layered: {' > '.join(layers)}",
            "type": "layers",
            "layers": layers,
        }
    domain = f"{service}.domain"
    if tree.exists(domain):
        found[f"{service}-pure-domain"] = {
            "name": f"{domain} does no I/O",
            "type": "forbidden",
            "source_modules": [domain],
            "forbidden_modules": [*IO_LIBRARIES, *tree.kernel_io_modules()],
        }
    return found


def render(tree: Tree) -> str:
    """The INI configuration for ``lint-imports --config``."""
    config = configparser.ConfigParser()
    found = contracts(tree)
    root_packages = [*tree.libraries(), *tree.services()]
    config["importlinter"] = {
        "root_packages": _lines(root_packages),
        "include_external_packages": "True",
    }
    for contract_id, contract in found.items():
        config[f"importlinter:contract:{contract_id}"] = {
            key: _lines(value) if isinstance(value, list) else value
            for key, value in contract.items()
        }
    buffer = io.StringIO()
    buffer.write("# Generated by clwstwr_ops.importrules from the tree; do not edit.\n")
    config.write(buffer)
    return buffer.getvalue()


def _lines(values: list[str]) -> str:
    """A multi-line INI value, which import-linter reads as a list."""
    return "\n" + "\n".join(values)


def write_config(project_root: Path, path: Path) -> Path:
    path.write_text(render(Tree(project_root)), encoding="utf-8")
    return path
