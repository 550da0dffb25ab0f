import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from clwstwr_ops.manifests import SERVICES, check_overlay, house_rules, main, overlays

PROJECT_ROOT = Path(__file__).resolve().parents[2]
K8S = PROJECT_ROOT / "deploy" / "k8s"

DEPLOYMENT: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "membership"},
    "spec": {
        "selector": {"matchLabels": {"app": "membership"}},
        "template": {
            "metadata": {"labels": {"app": "membership"}},
            "spec": {
                "securityContext": {"runAsNonRoot": True},
                "containers": [
                    {
                        "name": "membership",
                        "image": "clwstwr",
                        "readinessProbe": {"grpc": {"port": 50051}},
                        "livenessProbe": {"grpc": {"port": 50051}},
                        "resources": {
                            "requests": {"cpu": "100m", "memory": "256Mi"},
                            "limits": {"cpu": "1", "memory": "512Mi"},
                        },
                        "securityContext": {"allowPrivilegeEscalation": False},
                    }
                ],
            },
        },
    },
}


def _complete_set(deployment: dict[str, Any]) -> list[dict[str, Any]]:
    """Every per-service object, with ``deployment`` as membership's Deployment."""
    others = [
        {"kind": kind, "metadata": {"name": service}}
        for service in SERVICES
        for kind in ("Service", "PodDisruptionBudget", "NetworkPolicy")
    ]
    deployments = [
        {**copy.deepcopy(DEPLOYMENT), "metadata": {"name": service}}
        for service in SERVICES
        if service != "membership"
    ]
    return [deployment, *deployments, *others]


def test_a_compliant_set_of_objects_keeps_the_house_rules() -> None:
    assert house_rules(_complete_set(copy.deepcopy(DEPLOYMENT))) == []


def test_a_missing_object_a_missing_probe_and_missing_limits_are_reported() -> None:
    deployment = copy.deepcopy(DEPLOYMENT)
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    container["livenessProbe"] = {"tcpSocket": {"port": 50051}}
    del container["resources"]["limits"]["memory"]
    del deployment["spec"]["template"]["spec"]["securityContext"]
    documents = [doc for doc in _complete_set(deployment) if doc["metadata"]["name"] != "reporting"]

    problems = house_rules(documents)

    assert "Deployment membership container membership: no gRPC livenessProbe" in problems
    assert "Deployment membership container membership: no resources.limits.memory" in problems
    assert "Deployment membership: pod securityContext.runAsNonRoot is not true" in problems
    assert "PodDisruptionBudget reporting is missing" in problems
    assert len(problems) == 7  # the 4 kinds of reporting, and the 3 above


def test_init_containers_need_limits_and_no_privilege_escalation_but_no_probes() -> None:
    deployment = copy.deepcopy(DEPLOYMENT)
    pod = deployment["spec"]["template"]["spec"]
    pod["initContainers"] = [{"name": "migrate", "image": "clwstwr"}]

    problems = house_rules(_complete_set(deployment))

    assert problems == [
        *(
            f"Deployment membership container migrate: no resources.{part}.{what}"
            for part in ("requests", "limits")
            for what in ("cpu", "memory")
        ),
        "Deployment membership container migrate: securityContext.allowPrivilegeEscalation"
        " is not false",
    ]


def test_a_cronjobs_pods_keep_the_rules_too() -> None:
    pod = copy.deepcopy(DEPLOYMENT["spec"]["template"])
    del pod["spec"]["securityContext"]
    for container in pod["spec"]["containers"]:
        del container["resources"]["limits"]
    cronjob = {
        "kind": "CronJob",
        "metadata": {"name": "publish-findings"},
        "spec": {"schedule": "30 2 * * *", "jobTemplate": {"spec": {"template": pod}}},
    }

    problems = house_rules([*_complete_set(copy.deepcopy(DEPLOYMENT)), cronjob])

    assert problems == [
        "CronJob publish-findings: pod securityContext.runAsNonRoot is not true",
        "CronJob publish-findings container membership: no resources.limits.cpu",
        "CronJob publish-findings container membership: no resources.limits.memory",
    ]


def _overlay(tmp_path: Path, deployment: dict[str, Any]) -> Path:
    overlay = tmp_path / "overlays" / "test"
    overlay.mkdir(parents=True)
    (overlay / "deployment.yaml").write_text(yaml.safe_dump(deployment))
    (overlay / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
        "namespace: test\nresources:\n  - deployment.yaml\n"
    )
    return overlay


def test_an_unknown_field_fails_strict_validation(tmp_path: Path) -> None:
    deployment = copy.deepcopy(DEPLOYMENT)
    deployment["spec"]["replica"] = 2  # misspelt: the strict schema knows only "replicas"
    overlay = _overlay(tmp_path, deployment)

    problems = check_overlay(overlay, tmp_path)

    assert problems[0].startswith("kubernetes-validate --strict:")
    assert "'replica' was unexpected" in problems[0]


def test_an_overlay_that_does_not_build_is_reported(tmp_path: Path) -> None:
    overlay = _overlay(tmp_path, DEPLOYMENT)
    (overlay / "deployment.yaml").unlink()

    problems = check_overlay(overlay, tmp_path)

    assert len(problems) == 1
    assert problems[0].startswith("kustomize failed:")


def test_the_projects_own_overlays_render_validate_and_keep_the_rules(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert [overlay.name for overlay in overlays(K8S)] == ["dev", "production"]
    assert main([str(K8S)]) == 0, capsys.readouterr().err
