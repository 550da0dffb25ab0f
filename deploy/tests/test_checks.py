from pathlib import Path

from clwstwr_ops.checks import Check, has_protos, plan, python_roots


def _names(checks: list[Check]) -> list[str]:
    return [check.name for check in checks]


def test_a_bare_tree_plans_every_check_and_skips_what_does_not_apply(tmp_path: Path) -> None:
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "x.py").write_text("")
    workdir = tmp_path / "work"
    workdir.mkdir()

    checks = plan(tmp_path, workdir, ["-k", "quick"])

    assert _names(checks) == [
        "generated code up to date",
        "API references up to date",
        "ruff check",
        "ruff format",
        "mypy",
        "import rules",
        "buf lint",
        "Dockerfile lint",
        "compose schema",
        "compose references",
        "kubernetes manifests",
        "pytest",
    ]
    by_name = {check.name: check for check in checks}
    assert by_name["generated code up to date"].skipped is not None
    assert by_name["buf lint"].skipped == "no .proto files"
    assert by_name["Dockerfile lint"].skipped == "no deploy/docker/Dockerfile"
    assert by_name["compose schema"].skipped == "no docker-compose.yml"
    assert by_name["kubernetes manifests"].skipped == "no deploy/k8s/overlays"
    assert by_name["mypy"].argv[1:] == ("deploy",)
    assert by_name["pytest"].argv[1:] == ("-k", "quick")
    assert (workdir / "importlinter.ini").is_file()


def test_the_proto_check_runs_the_generator_script_when_it_exists(tmp_path: Path) -> None:
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "gen_proto.sh").write_text("#!/bin/sh\n")

    proto = plan(tmp_path, tmp_path)[0]

    assert proto.skipped is None
    assert proto.argv == ("bash", str(tmp_path / "scripts" / "gen_proto.sh"), "--check")


def test_mypy_gets_only_the_roots_that_hold_python(tmp_path: Path) -> None:
    for root in ("libs", "services", "tests"):
        (tmp_path / root).mkdir()
    (tmp_path / "libs" / "a.py").write_text("")
    (tmp_path / "tests" / "README.md").write_text("")

    assert python_roots(tmp_path) == ["libs"]


def test_protos_are_found_anywhere_under_proto(tmp_path: Path) -> None:
    assert not has_protos(tmp_path)
    deep = tmp_path / "proto" / "clwstwr" / "meetings" / "v1"
    deep.mkdir(parents=True)
    (deep / "meetings.proto").write_text('syntax = "proto3";\n')
    assert has_protos(tmp_path)


def test_the_deploy_files_are_validated_when_present(tmp_path: Path) -> None:
    (tmp_path / "docker-compose.yml").write_text("services: {}\n")
    (tmp_path / "deploy" / "k8s" / "overlays").mkdir(parents=True)
    (tmp_path / "deploy" / "docker").mkdir()
    (tmp_path / "deploy" / "docker" / "Dockerfile").write_text("FROM scratch\n")

    by_name = {check.name: check for check in plan(tmp_path, tmp_path)}

    compose = str(tmp_path / "docker-compose.yml")
    dockerfile = str(tmp_path / "deploy" / "docker" / "Dockerfile")
    assert by_name["Dockerfile lint"].argv[0].endswith("hadolint")
    assert by_name["Dockerfile lint"].argv[1:] == (dockerfile,)
    assert by_name["compose schema"].argv[0].endswith("check-jsonschema")
    assert by_name["compose schema"].argv[1:] == (
        "--builtin-schema",
        "vendor.compose-spec",
        compose,
    )
    assert by_name["compose references"].argv[1:] == ("-m", "clwstwr_ops.composerefs", compose)
    manifests = ("-m", "clwstwr_ops.manifests", str(tmp_path / "deploy" / "k8s"))
    assert by_name["kubernetes manifests"].argv[1:] == manifests
