from pathlib import Path

from clwstwr_ops.binaries import find_postgres, find_redis, postgres_bindir_candidates


def _program(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


def _server_bindir(directory: Path, *, with_psql: bool = True) -> Path:
    names = ["initdb", "pg_ctl", "postgres"] + (["psql"] if with_psql else [])
    for name in names:
        _program(directory / name)
    return directory


def test_debian_versions_are_tried_newest_first(tmp_path: Path) -> None:
    debian = tmp_path / "usr-lib-postgresql"
    for version in ("9.6", "15", "16", "not-a-version"):
        _server_bindir(debian / version / "bin")

    candidates = postgres_bindir_candidates(path="", debian_root=debian)

    assert [c.parent.name for c in candidates] == ["16", "15", "9.6"]
    found = find_postgres(path="", debian_root=debian)
    assert found is not None
    assert found.bindir == debian / "16" / "bin"
    assert found.psql == debian / "16" / "bin" / "psql"


def test_programs_on_path_win_and_symlinks_lead_to_the_real_directory(tmp_path: Path) -> None:
    real = _server_bindir(tmp_path / "pg" / "bin")
    on_path = tmp_path / "usr-local-bin"
    on_path.mkdir()
    (on_path / "pg_ctl").symlink_to(real / "pg_ctl")
    debian = tmp_path / "debian"
    _server_bindir(debian / "17" / "bin")

    found = find_postgres(path=str(on_path), debian_root=debian)

    assert found is not None
    assert found.bindir == real
    assert found.pg_ctl == real / "pg_ctl"
    assert found.initdb == real / "initdb"


def test_psql_may_come_from_path_when_the_server_directory_lacks_it(tmp_path: Path) -> None:
    debian = tmp_path / "debian"
    _server_bindir(debian / "15" / "bin", with_psql=False)
    client = _program(tmp_path / "client" / "psql")

    found = find_postgres(path=str(client.parent), debian_root=debian)

    assert found is not None
    assert found.psql == client


def test_incomplete_installations_are_skipped(tmp_path: Path) -> None:
    debian = tmp_path / "debian"
    _program(debian / "16" / "bin" / "pg_ctl")  # a client-only or half-removed install
    _server_bindir(debian / "15" / "bin")

    found = find_postgres(path="", debian_root=debian)

    assert found is not None
    assert found.bindir == debian / "15" / "bin"


def test_no_postgres_at_all(tmp_path: Path) -> None:
    assert find_postgres(path=str(tmp_path), debian_root=tmp_path / "missing") is None


def test_redis_server_is_found_on_path(tmp_path: Path) -> None:
    redis = _program(tmp_path / "bin" / "redis-server")

    assert find_redis(path=str(redis.parent)) == redis
