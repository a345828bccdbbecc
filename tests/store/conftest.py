"""The `store_backend` fixture: one store per test on every backend that `--db sqlite|postgres|all` selects."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from spyglass.store import open_store
from spyglass.store.base import Store
from tests.support.postgres import Cluster, add_db_option, selected_backends, shared_cluster


def pytest_addoption(parser: pytest.Parser) -> None:
    add_db_option(parser)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "store_backend" in metafunc.fixturenames:
        backends = selected_backends(metafunc.config.getoption("--db", default=None))
        metafunc.parametrize("store_backend", backends, indirect=True)


@pytest.fixture
async def store_backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """A migrated, empty store: a real SQLite file in tmp_path, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        store = open_store(f"sqlite:///{tmp_path / 'contract.db'}")
    else:
        if not Cluster().available:
            pytest.skip("no PostgreSQL server: neither initdb on this machine nor SPYGLASS_TEST_POSTGRES_URL")
        url = shared_cluster().new_database()
        store = open_store(url)
    await store.migrate()
    yield store
    await store.close()
    if request.param == "postgres":
        shared_cluster().drop_database(url)
