"""Real provisioning: initdb, pg_ctl and redis-server, as ``./dev`` does it (slow-ish: seconds)."""

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import pytest
import redis.asyncio

from clwstwr_ops.localstack import Profile, dev_servers, stop_dev_servers, throwaway_servers
from clwstwr_ops.ports import WELL_KNOWN, is_free
from clwstwr_ops.settings import OpsSettings

pytestmark = pytest.mark.integration


def _port(url: str) -> int:
    port = urlsplit(url).port
    assert port is not None
    return port


def _throwaway_dirs() -> set[Path]:
    roots = {Path(tempfile.gettempdir()), Path("/var/tmp")}  # noqa: S108
    return {path for root in roots for path in root.glob("clwstwr-test-*")}


def _dir_serving(port: int) -> Path:
    """The throwaway directory whose PostgreSQL listens on ``port`` (other runs may have theirs)."""
    for path in _throwaway_dirs():
        pid_file = path / "postgres" / "data" / "postmaster.pid"
        if pid_file.exists() and pid_file.read_text().splitlines()[3] == str(port):
            return path
    raise AssertionError(f"no throwaway directory serves port {port}")


@pytest.fixture
def checkout() -> Iterator[Path]:
    """A stand-in project checkout that the server account can reach."""
    path = Path(tempfile.mkdtemp(prefix="clwstwr-checkout-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


async def test_throwaway_servers_are_private_fast_and_removed_afterwards() -> None:
    with throwaway_servers(Profile.TEST) as endpoints:
        ours = _dir_serving(_port(endpoints.database_url))
        connection = await asyncpg.connect(endpoints.database_url)
        try:
            assert await connection.fetchval("SELECT current_database()") == "clwstwr"
            assert await connection.fetchval("SHOW fsync") == "off"
            assert int(await connection.fetchval("SHOW max_connections")) >= 200
        finally:
            await connection.close()
        client = redis.asyncio.Redis.from_url(endpoints.redis_url)
        try:
            assert await client.ping()  # type: ignore[misc]  # redis-py types ping as sync|async
        finally:
            await client.aclose()
        ports = {_port(endpoints.database_url), _port(endpoints.redis_url)}
        assert not ports & WELL_KNOWN

    assert all(is_free(port) for port in ports)
    assert not ours.exists()


async def test_the_dev_instance_keeps_its_data_and_can_be_left_running(checkout: Path) -> None:
    settings = OpsSettings(database_url=None, redis_url=None, data_dir=None)

    with dev_servers(checkout, settings, keep_running=False) as first:
        connection = await asyncpg.connect(first.database_url)
        await connection.execute("CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)")
        await connection.close()
        client = redis.asyncio.Redis.from_url(first.redis_url)
        await client.set("kept", "42")
        await client.aclose()
    assert is_free(_port(first.database_url))

    with dev_servers(checkout, settings, keep_running=True) as second:  # like ./dev env
        assert second == first  # same ports, so the same URLs
    try:
        with dev_servers(checkout, settings, keep_running=False) as third:  # reuses, leaves up
            connection = await asyncpg.connect(third.database_url)
            assert await connection.fetchval("SELECT x FROM kept") == 42
            await connection.close()
            client = redis.asyncio.Redis.from_url(third.redis_url)
            assert await client.get("kept") == b"42"
            await client.aclose()
        assert not is_free(_port(first.database_url))
    finally:
        assert stop_dev_servers(checkout, settings)
    assert is_free(_port(first.database_url))
    assert is_free(_port(first.redis_url))


def test_urls_in_the_environment_are_used_instead_of_provisioning(checkout: Path) -> None:
    settings = OpsSettings(database_url="postgresql://u@db/x", redis_url="redis://cache/0")

    with dev_servers(checkout, settings, keep_running=False) as endpoints:
        assert endpoints.database_url == "postgresql://u@db/x"
        assert endpoints.redis_url == "redis://cache/0"

    assert not (checkout / ".data").exists()
