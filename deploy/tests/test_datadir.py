import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from clwstwr_ops.accounts import Account
from clwstwr_ops.datadir import (
    SHARED_TMP,
    dev_data_dir,
    fallback_dir,
    is_reachable,
    make_dir,
    may_enter,
    temp_data_dir,
)
from clwstwr_ops.errors import OpsError

OWNER, GROUP = 1000, 1000
alice = Account("alice", uid=OWNER, gid=GROUP, groups=frozenset({GROUP}))
bob_in_group = Account("bob", uid=1001, gid=2000, groups=frozenset({2000, GROUP}))
stranger = Account("clwstwr", uid=999, gid=995, groups=frozenset({995}))
root = Account("root", uid=0, gid=0, groups=frozenset({0}))


@pytest.mark.parametrize(
    ("mode", "account", "expected"),
    [
        (0o700, alice, True),
        (0o700, bob_in_group, False),
        (0o700, stranger, False),
        (0o710, bob_in_group, True),
        (0o710, stranger, False),
        (0o711, stranger, True),
        (0o755, stranger, True),
        (0o644, alice, False),  # readable, but not enterable
        (0o000, root, True),
    ],
)
def test_who_may_enter_a_directory(mode: int, account: Account, expected: bool) -> None:
    assert may_enter(stat.S_IFDIR | mode, OWNER, GROUP, account) is expected


@pytest.fixture
def open_dir() -> Iterator[Path]:
    """A directory everyone may reach (pytest's own tmp_path sits under a private 0700 one)."""
    path = Path(tempfile.mkdtemp(prefix="clwstwr-unit-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path)


def _someone_else() -> Account:
    """An account that neither owns our temp dirs nor shares their group."""
    return Account("clwstwr", uid=os.geteuid() + 4242, gid=4242, groups=frozenset({4242}))


def test_a_private_ancestor_makes_a_path_unreachable(open_dir: Path) -> None:
    private = open_dir / "checkout"
    private.mkdir(mode=0o700)
    private.chmod(0o700)

    assert not is_reachable(private / ".data" / "postgres", _someone_else())
    private.chmod(0o711)
    assert is_reachable(private / ".data" / "postgres", _someone_else())


def test_dev_data_lives_in_the_checkout_when_reachable(open_dir: Path) -> None:
    chosen = dev_data_dir(open_dir, None, _someone_else())

    assert chosen.path == open_dir / ".data"
    assert chosen.fallback_reason is None


def test_unreachable_checkout_falls_back_to_var_tmp_and_says_why(tmp_path: Path) -> None:
    checkout = tmp_path / "clone"
    checkout.mkdir()
    checkout.chmod(0o700)  # like `mktemp -d` or /root

    chosen = dev_data_dir(checkout, None, _someone_else())

    assert chosen.path == fallback_dir(checkout)
    assert chosen.path.parent == SHARED_TMP
    assert chosen.fallback_reason is not None
    assert "clwstwr" in chosen.fallback_reason
    assert stat.S_IMODE(checkout.stat().st_mode) == 0o700  # never loosened


def test_fallback_is_stable_per_checkout_and_distinct_between_checkouts() -> None:
    assert fallback_dir(Path("/root/a")) == fallback_dir(Path("/root/a"))
    assert fallback_dir(Path("/root/a")) != fallback_dir(Path("/root/b"))


def test_an_explicit_data_dir_is_used_as_given(open_dir: Path) -> None:
    configured = open_dir / "elsewhere"

    assert dev_data_dir(open_dir, configured, _someone_else()).path == configured


def test_an_explicit_but_unreachable_data_dir_is_refused(tmp_path: Path) -> None:
    private = tmp_path / "private"
    private.mkdir()
    private.chmod(0o700)

    with pytest.raises(OpsError, match="CLWSTWR_DATA_DIR"):
        dev_data_dir(tmp_path, private / "data", _someone_else())


def test_directories_we_create_are_enterable_whatever_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0o077)
    try:
        created = make_dir(tmp_path / "base")
    finally:
        os.umask(previous)

    assert stat.S_IMODE(created.stat().st_mode) == 0o711


def test_existing_directories_keep_their_permissions(tmp_path: Path) -> None:
    existing = tmp_path / "mine"
    existing.mkdir()
    existing.chmod(0o750)

    make_dir(existing)

    assert stat.S_IMODE(existing.stat().st_mode) == 0o750


def test_throwaway_directories_are_fresh_and_enterable() -> None:
    first = temp_data_dir("clwstwr-unit-", _someone_else())
    second = temp_data_dir("clwstwr-unit-", _someone_else())
    try:
        assert first.path != second.path
        assert stat.S_IMODE(first.path.stat().st_mode) == 0o711
        assert is_reachable(first.path, _someone_else()) or first.fallback_reason is not None
    finally:
        first.path.rmdir()
        second.path.rmdir()
