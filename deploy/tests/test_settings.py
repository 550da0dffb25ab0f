from pathlib import Path

import pytest

from clwstwr_ops.localstack import Endpoints, Profile
from clwstwr_ops.postgres import database_url, render_settings
from clwstwr_ops.redis import redis_url
from clwstwr_ops.settings import OpsSettings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "REDIS_URL", "DATA_DIR", "TEST_USE_EXISTING"):
        monkeypatch.delenv(f"CLWSTWR_{name}", raising=False)


def test_nothing_set_means_provision_everything() -> None:
    settings = OpsSettings()

    assert settings.database_url is None
    assert settings.redis_url is None
    assert settings.data_dir is None
    assert settings.test_use_existing is False


def test_urls_and_data_dir_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLWSTWR_DATABASE_URL", "postgresql://u@db:5432/x")
    monkeypatch.setenv("CLWSTWR_REDIS_URL", "redis://cache:6379/0")
    monkeypatch.setenv("CLWSTWR_DATA_DIR", "/srv/clwstwr")
    monkeypatch.setenv("CLWSTWR_TEST_USE_EXISTING", "1")

    settings = OpsSettings()

    assert settings.database_url == "postgresql://u@db:5432/x"
    assert settings.redis_url == "redis://cache:6379/0"
    assert settings.data_dir == Path("/srv/clwstwr")
    assert settings.test_use_existing is True


def test_an_empty_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLWSTWR_DATABASE_URL", "")

    assert OpsSettings().database_url is None


def test_only_tests_trade_durability_for_speed() -> None:
    assert not Profile.TEST.durable
    assert Profile.DEV.durable
    assert Profile.BENCH.durable

    fast = render_settings(40000, durable=False)
    durable = render_settings(40000, durable=True)

    assert "fsync = off" in fast
    assert "synchronous_commit = off" in fast
    assert "fsync" not in durable
    assert "synchronous_commit" not in durable
    for conf in (fast, durable):
        assert "port = 40000" in conf
        assert "listen_addresses = '127.0.0.1'" in conf
        assert "unix_socket_directories = ''" in conf
        assert "max_connections = 200" in conf


def test_the_urls_the_checks_receive() -> None:
    endpoints = Endpoints(database_url(40000), redis_url(40001))

    assert endpoints.as_env() == {
        "CLWSTWR_DATABASE_URL": "postgresql://clwstwr@127.0.0.1:40000/clwstwr",
        "CLWSTWR_REDIS_URL": "redis://127.0.0.1:40001/0",
    }
