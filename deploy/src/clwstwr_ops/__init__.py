"""Clwstwr's operator tooling: private PostgreSQL and Redis, the platform and its checks.

``./dev`` at the repository root bootstraps ``uv`` and then calls the ``clwstwr-ops`` command
defined in :mod:`clwstwr_ops.cli`.
"""
