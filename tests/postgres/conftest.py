"""PostgreSQL end-to-end fixtures: the session's throwaway cluster and a fresh database per test."""

from __future__ import annotations

import pytest

from tests.support.postgres import Cluster, selected_backends, shared_cluster


@pytest.fixture
def pg_url(request: pytest.FixtureRequest) -> str:
    """The URL of a fresh, migrated PostgreSQL database."""
    option = request.config.getoption("--db", default=None)
    if "postgres" not in selected_backends(option):
        pytest.skip("--db sqlite: the PostgreSQL tests are not selected")
    if not Cluster().available:
        pytest.skip("no PostgreSQL server: neither initdb on this machine nor SPYGLASS_TEST_POSTGRES_URL")
    return shared_cluster().new_database()
