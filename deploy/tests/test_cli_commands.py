"""The root command finds every command it lists, though each is imported only when called."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from clwstwr_ops.cli import COMMANDS, app


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_listed_command_loads_and_explains_itself(name: str) -> None:
    shown = CliRunner().invoke(app, [name, "--help"])
    assert shown.exit_code == 0, shown.output
    assert "Usage:" in shown.output


def test_the_root_help_lists_every_command_without_running_one() -> None:
    shown = CliRunner().invoke(app, ["--help"])
    assert shown.exit_code == 0, shown.output
    for name in COMMANDS:
        assert name in shown.output


def test_importing_the_root_imports_no_command() -> None:
    # In a process of its own: this one has imported the commands already.
    modules = sorted({where.split(":")[0] for where in COMMANDS.values()})
    code = f"import sys; import clwstwr_ops.cli; print(sorted(set({modules!r}) & set(sys.modules)))"
    loaded = subprocess.run(  # noqa: S603 - this interpreter, our own code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "[]"
