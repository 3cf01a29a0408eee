"""The migrations are the schema: they build it from empty, and match the models."""

from __future__ import annotations

import asyncio

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text
from sqlalchemy.pool import NullPool

from server.db import alembic_config, create_engine, migrate
from server.models import metadata
from tests.conftest import _admin, _with_database


def _fresh(server_url: str, name: str) -> str:
    asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}"'))
    return _with_database(server_url, name)


def _drop(server_url: str, name: str) -> None:
    asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_there_is_exactly_one_head() -> None:
    script = ScriptDirectory.from_config(alembic_config("postgresql://unused/unused"))
    assert len(script.get_heads()) == 1


def test_upgrade_from_empty_then_downgrade_to_nothing(server_url: str, worker_id: str) -> None:
    name = f"lg_migrate_{worker_id}"
    url = _fresh(server_url, name)
    try:
        migrate(url)

        async def tables() -> set[str]:
            engine = create_engine(url, poolclass=NullPool)
            async with engine.connect() as connection:
                rows = await connection.execute(
                    text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
                )
                names = {row[0] for row in rows}
            await engine.dispose()
            return names

        assert set(metadata.tables) <= asyncio.run(tables())
        command.downgrade(alembic_config(url), "base")
        assert asyncio.run(tables()) == {"alembic_version"}
    finally:
        _drop(server_url, name)


def test_autogenerate_finds_no_difference_from_the_models(
    server_url: str, template_database: str
) -> None:
    url = _with_database(server_url, template_database)

    def compare(connection: Connection) -> list[object]:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        return list(compare_metadata(context, metadata))

    async def differences() -> list[object]:
        engine = create_engine(url, poolclass=NullPool)
        async with engine.connect() as connection:
            found = await connection.run_sync(compare)
        await engine.dispose()
        return found

    assert asyncio.run(differences()) == []
