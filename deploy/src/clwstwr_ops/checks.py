"""The checks ``./dev test`` runs, in order, against freshly provisioned servers.

All checks run even after one fails, so a single CI run reports every problem; the summary at
the end lists each with its time, and the exit status is non-zero if any failed.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from clwstwr_ops import apt, console, importrules
from clwstwr_ops.errors import OpsError
from clwstwr_ops.proc import run

PYTHON_ROOTS = ("libs", "services", "deploy", "tests")
"""Where the Python source lives; mypy gets those that hold any."""

PYTEST_NO_TESTS = 5
COMPOSE_FILE = "docker-compose.yml"
K8S_DIR = "deploy/k8s"
DOCKERFILE = "deploy/docker/Dockerfile"


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    argv: tuple[str, ...] = ()
    skipped: str | None = None
    """Why the check does not apply to this tree; None when it runs."""


@dataclass(frozen=True, slots=True)
class Outcome:
    check: Check
    status: str  # "passed", "FAILED" or "skipped"
    seconds: float


def tool(name: str) -> str:
    """A console script of the project's virtualenv (the one this process runs in)."""
    return str(Path(sys.executable).parent / name)


def python_roots(project_root: Path) -> list[str]:
    return [
        name
        for name in PYTHON_ROOTS
        if any(path.suffix == ".py" for path in (project_root / name).rglob("*.py"))
    ]


def has_protos(project_root: Path) -> bool:
    return any((project_root / "proto").rglob("*.proto"))


def plan(project_root: Path, workdir: Path, pytest_args: Sequence[str] = ()) -> list[Check]:
    """The checks for this tree; ``workdir`` receives generated files (the import rules)."""
    return [
        _proto_check(project_root),
        Check(
            "API references up to date", (sys.executable, "-m", "clwstwr_ops.apidocs", "--check")
        ),
        Check("ruff check", (tool("ruff"), "check", ".")),
        Check("ruff format", (tool("ruff"), "format", "--check", ".")),
        Check("mypy", (tool("mypy"), *python_roots(project_root))),
        Check("import rules", _lint_imports(project_root, workdir)),
        *_buf_checks(project_root),
        *_deploy_checks(project_root),
        Check("pytest", (tool("pytest"), *pytest_args)),
    ]


def _proto_check(project_root: Path) -> Check:
    script = project_root / "scripts" / "gen_proto.sh"
    if not script.is_file():
        return Check("generated code up to date", skipped="scripts/gen_proto.sh not written yet")
    return Check("generated code up to date", ("bash", str(script), "--check"))


def _lint_imports(project_root: Path, workdir: Path) -> tuple[str, ...]:
    config = importrules.write_config(project_root, workdir / "importlinter.ini")
    return (tool("lint-imports"), "--config", str(config), "--no-cache")


def _buf_checks(project_root: Path) -> list[Check]:
    """Lint proto/ with buf (``scripts/lint_proto.sh`` when present), after ``npm ci`` if needed.

    buf comes from npm, pinned by ``package-lock.json``; ``npm ci`` runs only when
    ``node_modules`` is missing or older than the lock.
    """
    if not has_protos(project_root):
        return [Check("buf lint", skipped="no .proto files")]
    npm = ensure_npm()
    lock, installed = project_root / "package-lock.json", project_root / "node_modules"
    marker = installed / ".package-lock.json"  # written by npm after every install
    stale = not marker.is_file() or marker.stat().st_mtime < lock.stat().st_mtime
    install = Check("npm ci", (npm, "ci", "--no-audit", "--no-fund"))
    script = project_root / "scripts" / "lint_proto.sh"
    argv = ("bash", str(script)) if script.is_file() else (str(installed / ".bin" / "buf"), "lint")
    buf = Check("buf lint", argv)
    return [install, buf] if stale else [buf]


def _deploy_checks(project_root: Path) -> list[Check]:
    """The deploy files, validated offline (CI has no Docker engine and no cluster).

    The Dockerfile with hadolint; ``docker-compose.yml`` against the compose-spec schema, then
    its references (:mod:`clwstwr_ops.composerefs`); each kustomize overlay under
    ``deploy/k8s`` rendered and validated with ``kubernetes-validate --strict``
    (:mod:`clwstwr_ops.manifests`).
    """
    dockerfile, compose = str(project_root / DOCKERFILE), str(project_root / COMPOSE_FILE)
    k8s = str(project_root / K8S_DIR)
    schema = ("--builtin-schema", "vendor.compose-spec", compose)
    composerefs = (sys.executable, "-m", "clwstwr_ops.composerefs", compose)
    manifests = (sys.executable, "-m", "clwstwr_ops.manifests", k8s)
    return [
        _if_present(project_root, DOCKERFILE, "Dockerfile lint", (tool("hadolint"), dockerfile)),
        _if_present(
            project_root, COMPOSE_FILE, "compose schema", (tool("check-jsonschema"), *schema)
        ),
        _if_present(project_root, COMPOSE_FILE, "compose references", composerefs),
        _if_present(project_root, f"{K8S_DIR}/overlays", "kubernetes manifests", manifests),
    ]


def _if_present(project_root: Path, needs: str, name: str, argv: tuple[str, ...]) -> Check:
    """The check, or the check skipped when the file or directory it reads does not exist."""
    if (project_root / needs).exists():
        return Check(name, argv)
    return Check(name, skipped=f"no {needs}")


def ensure_npm() -> str:
    """npm, from Debian's ``nodejs`` and ``npm`` packages if the machine has none."""
    found = shutil.which("npm")
    if found is None:
        apt.install(["nodejs", "npm"])
        found = shutil.which("npm")
    if found is None:
        raise OpsError("npm not found even after installing nodejs and npm")
    return found


def run_all(checks: Sequence[Check], env: Mapping[str, str], project_root: Path) -> bool:
    """Run every check, print a summary, and say whether all passed."""
    outcomes = [_run_one(check, env, project_root) for check in checks]
    _summarise(outcomes)
    return all(outcome.status != "FAILED" for outcome in outcomes)


def _run_one(check: Check, env: Mapping[str, str], project_root: Path) -> Outcome:
    if check.skipped is not None:
        console.say(f"── {check.name}: skipped ({check.skipped})")
        return Outcome(check, "skipped", 0.0)
    console.say(f"── {check.name}: {' '.join(_short(arg, project_root) for arg in check.argv)}")
    started = time.monotonic()
    try:
        code = run(check.argv, env=env, check=False, quiet=False).returncode
    except OpsError as error:
        console.problem(str(error))
        code = 1
    if check.name == "pytest" and code == PYTEST_NO_TESTS:
        console.problem("pytest collected no tests at all")
    return Outcome(check, "passed" if code == 0 else "FAILED", time.monotonic() - started)


def _short(arg: str, project_root: Path) -> str:
    """Show paths relative to the project, so the log reads like the commands one would type."""
    prefix = f"{project_root}{os.sep}"
    venv_bin = f"{Path(sys.executable).parent}{os.sep}"
    return arg.removeprefix(venv_bin).removeprefix(prefix)


def _summarise(outcomes: Sequence[Outcome]) -> None:
    console.say("summary:")
    for outcome in outcomes:
        line = f"  {outcome.status:8} {outcome.check.name:28} {outcome.seconds:6.1f}s"
        if outcome.status == "FAILED":
            console.problem(line)
        elif outcome.status == "passed":
            console.ok(line)
        else:
            console.say(line)
