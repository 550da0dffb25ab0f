"""Fixtures shared by every test suite in the repository."""

pytest_plugins = ["kernel.testing.pytest_plugin"]
