import json
import stat
from pathlib import Path

from clwstwr_ops import devtokens
from kernel.grpc.auth import TokenRegistry
from kernel.grpc.auth import hash_token as kernel_hash_token


def test_tokens_are_made_once_private_and_reused(tmp_path: Path) -> None:
    first = devtokens.load_or_create(tmp_path)
    again = devtokens.load_or_create(tmp_path)
    assert first == again
    assert {"operator", "national", "service", "board-7A1", "board-7A7"} <= set(first)
    mode = (tmp_path / devtokens.TOKENS_FILE).stat().st_mode
    assert stat.S_IMODE(mode) == 0o600


def test_services_get_hashes_that_the_kernel_accepts(tmp_path: Path) -> None:
    tokens = devtokens.load_or_create(tmp_path)
    env = devtokens.service_env(tokens, {"membership": "127.0.0.1:50051"})
    assert tokens["operator"] not in env["CLWSTWR_AUTH_TOKENS"]
    registry = TokenRegistry.from_json(env["CLWSTWR_AUTH_TOKENS"])
    board = registry.authenticate(tokens["board-7A3"])
    assert board is not None
    assert (board.role, board.scope) == ("health_board", "7A3")
    assert devtokens.hash_token("x") == kernel_hash_token("x")
    assert json.loads(env["CLWSTWR_FEED_TARGETS"]) == {"membership": "127.0.0.1:50051"}
    service = registry.authenticate(env["CLWSTWR_FEED_TOKEN"])
    assert service is not None
    assert service.role == "service"


def test_the_operator_env_names_the_started_services_and_the_feed_token(tmp_path: Path) -> None:
    assert devtokens.operator_env(tmp_path) == {}  # nothing started yet
    tokens = devtokens.load_or_create(tmp_path)
    devtokens.save_endpoints(tmp_path, {"membership": "127.0.0.1:50051"})
    env = devtokens.operator_env(tmp_path)
    assert json.loads(env["CLWSTWR_FEED_TARGETS"]) == {"membership": "127.0.0.1:50051"}
    assert env["CLWSTWR_FEED_TOKEN"] == tokens["service"]
