from pathlib import Path

import pytest

from clwstwr_ops.composerefs import check_file, main

PROJECT_ROOT = Path(__file__).resolve().parents[2]

VALID = """\
name: demo
services:
  db:
    image: postgres:15
    healthcheck:
      test: ["CMD", "true"]
    volumes:
      - db-data:/var/lib/postgresql/data
      - ./init:/docker-entrypoint-initdb.d:ro
      - /scratch
    networks: [backend]
  app:
    build:
      context: .
      dockerfile: docker/Dockerfile
    env_file:
      - app.env
      - path: .env
        required: false
    depends_on:
      db:
        condition: service_healthy
    configs:
      - source: app-config
        target: /etc/app.yaml
    secrets: [app-secret]
    volumes:
      - type: volume
        source: db-data
        target: /data
      - type: bind
        source: ./init
        target: /init
  job:
    image: app
    depends_on: [app]
    env_file: ${SOMEWHERE}/x.env
configs:
  app-config:
    file: ./app.yaml
secrets:
  app-secret:
    environment: APP_SECRET
networks:
  backend:
volumes:
  db-data:
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "init").mkdir()
    (tmp_path / "docker").mkdir()
    (tmp_path / "docker" / "Dockerfile").write_text("FROM scratch\n")
    (tmp_path / "app.env").write_text("A=1\n")
    (tmp_path / "app.yaml").write_text("a: 1\n")
    (tmp_path / "compose.yaml").write_text(VALID)
    return tmp_path


def _problems_after(project: Path, old: str, new: str) -> list[str]:
    compose = project / "compose.yaml"
    text = compose.read_text()
    assert old in text
    compose.write_text(text.replace(old, new, 1))
    return check_file(compose)


def test_a_file_whose_references_all_resolve_has_no_problems(project: Path) -> None:
    assert check_file(project / "compose.yaml") == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("depends_on: [app]", "depends_on: [ap]", "services.job.depends_on: no service 'ap'"),
        ("depends_on: [app]", "depends_on: [job]", "'job' depends on itself"),
        ('test: ["CMD", "true"]', "disable: true", "'db' has no healthcheck to become healthy"),
        (
            "- db-data:/var/lib",
            "- dbdata:/var/lib",
            "services.db.volumes: 'dbdata' is not declared under top-level volumes",
        ),
        ("./init:/docker", "./initdb:/docker", "bind source ./initdb does not exist"),
        ("source: ./init", "source: ./missing", "bind source ./missing does not exist"),
        ("source: db-data", "source: other", "'other' is not declared under top-level volumes"),
        ("- app.env", "- app-env", "services.app.env_file: app-env does not exist"),
        ("required: false", "required: true", "services.app.env_file: .env does not exist"),
        ("context: .", "context: ./src", "services.app.build.context: ./src is not a directory"),
        ("docker/Dockerfile", "Dockerfile", "services.app.build.dockerfile: Dockerfile not found"),
        ("- source: app-config", "- source: app-cfg", "'app-cfg' is not declared"),
        ("file: ./app.yaml", "file: ./gone.yaml", "configs.app-config.file: ./gone.yaml does not"),
        ("secrets: [app-secret]", "secrets: [other]", "services.app.secrets: 'other' is not"),
        ("networks: [backend]", "networks: [front]", "services.db.networks: 'front' is not"),
    ],
)
def test_each_broken_reference_is_reported(
    project: Path, old: str, new: str, expected: str
) -> None:
    problems = _problems_after(project, old, new)

    assert len(problems) == 1, problems
    assert expected in problems[0]


def test_a_depends_on_cycle_is_reported_once(project: Path) -> None:
    problems = _problems_after(
        project, "    healthcheck:\n", "    depends_on: [job]\n    healthcheck:\n"
    )

    assert problems == ["services.db.depends_on: cycle db -> job -> app -> db"]


def test_the_dockerfile_is_looked_for_inside_the_build_context(project: Path) -> None:
    problems = _problems_after(project, "context: .", "context: docker")
    assert problems == [
        "services.app.build.dockerfile: docker/Dockerfile not found in context docker"
    ]


def test_the_command_line_exits_1_and_names_the_file_on_a_problem(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(project / "compose.yaml")]) == 0
    _problems_after(project, "depends_on: [app]", "depends_on: [nobody]")

    assert main([str(project / "compose.yaml")]) == 1
    assert "compose.yaml: services.job.depends_on: no service 'nobody'" in capsys.readouterr().err


def test_the_projects_own_compose_file_resolves() -> None:
    assert check_file(PROJECT_ROOT / "docker-compose.yml") == []
