"""Postgres adapters: schema migrations and the event store (asyncpg)."""
