"""The environment variables the operator tooling reads (all optional)."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class OpsSettings(BaseSettings):
    """``CLWSTWR_*`` variables; an empty value counts as unset."""

    model_config = SettingsConfigDict(env_prefix="CLWSTWR_", extra="ignore", env_ignore_empty=True)

    #: Use this PostgreSQL instead of provisioning one (``./dev start`` and ``./dev env``).
    database_url: str | None = None
    #: Use this Redis instead of provisioning one (``./dev start`` and ``./dev env``).
    redis_url: str | None = None
    #: Where the persistent dev instance keeps its data (default ``<project>/.data``).
    data_dir: Path | None = None
    #: Let ``./dev test`` use the two URLs above instead of its own fresh instances.
    test_use_existing: bool = False
