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
        "pytest",
    ]
    by_name = {check.name: check for check in checks}
    assert by_name["generated code up to date"].skipped is not None
    assert by_name["buf lint"].skipped == "no .proto files"
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
