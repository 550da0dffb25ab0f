import asyncpg
import pytest

from kernel.personal_data import InMemoryKeyVault
from kernel.personal_data.postgres import PostgresKeyVault
from kernel.testing.key_vault_contract import KeyVaultContract


class TestInMemoryKeyVault(KeyVaultContract):
    @pytest.fixture
    def vault(self) -> InMemoryKeyVault:
        return InMemoryKeyVault()


@pytest.mark.integration
class TestPostgresKeyVault(KeyVaultContract):
    @pytest.fixture
    def vault(self, pg_pool: asyncpg.Pool, pg_schema: str) -> PostgresKeyVault:
        return PostgresKeyVault(pg_pool, pg_schema)
