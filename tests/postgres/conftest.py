"""PostgreSQL end-to-end fixtures: the session's throwaway cluster and a fresh database per test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from spyglass.store import open_store
from spyglass.store.base import Store
from tests.support.postgres import Cluster, add_db_option, selected_backends, shared_cluster
from tests.support.server import ServerProcess


def pytest_addoption(parser: pytest.Parser) -> None:
    add_db_option(parser)


@pytest.fixture
def pg_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The URL of a fresh, migrated PostgreSQL database (dropped after the test)."""
    _require_postgres(request.config)
    url = shared_cluster().new_database()
    yield url
    shared_cluster().drop_database(url)


def _require_postgres(config: pytest.Config) -> None:
    if "postgres" not in selected_backends(config.getoption("--db", default=None)):
        pytest.skip("--db sqlite: the PostgreSQL tests are not selected")
    if not Cluster().available:
        pytest.skip("no PostgreSQL server: neither initdb on this machine nor SPYGLASS_TEST_POSTGRES_URL")


# The suites re-run here from other folders (tests/postgres/test_suite_*.py) get these in place of the SQLite ones
# of tests/conftest.py: the same fixtures by name, on a fresh PostgreSQL database.


@pytest.fixture
async def store(request: pytest.FixtureRequest) -> AsyncIterator[Store]:
    _require_postgres(request.config)
    url = shared_cluster().new_database()
    opened = open_store(url)
    await opened.migrate()
    yield opened
    await opened.close()
    shared_cluster().drop_database(url)


@pytest.fixture
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServerProcess]:
    _require_postgres(request.config)
    url = shared_cluster().new_database()
    proc = ServerProcess(tmp_path / "server", env={"SPYGLASS_DATABASE_URL": url}).start()
    yield proc
    proc.stop()
    shared_cluster().drop_database(url)


@pytest.fixture(scope="module")
def module_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    _require_postgres(request.config)
    url = shared_cluster().new_database()
    proc = ServerProcess(tmp_path_factory.mktemp("server"), env={"SPYGLASS_DATABASE_URL": url}).start()
    yield proc
    proc.stop()
    shared_cluster().drop_database(url)
