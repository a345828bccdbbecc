"""The re-run suites (test_suite_*.py) really get PostgreSQL: the fixtures by the same names are overridden here."""

from __future__ import annotations

import httpx
import pytest

from spyglass.store.base import Store
from tests.support.server import ServerProcess


@pytest.mark.anyio
async def test_the_store_fixture_is_postgres(store: Store, app_client: httpx.AsyncClient) -> None:
    assert type(store).__name__ == "PostgresStore"
    assert (await app_client.get("/api/public/health")).status_code == 200


def test_the_server_fixture_serves_from_postgres(server: ServerProcess) -> None:
    assert server.extra_env["SPYGLASS_DATABASE_URL"].startswith("postgresql://")
    assert "postgresql://" in server.log()
