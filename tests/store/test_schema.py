"""The committed schema.sql of each backend is what its migrations produce (so schema changes show in review)."""

from __future__ import annotations

import pytest

from tests.support.postgres import Cluster, shared_cluster
from tests.support.schema import POSTGRES_SCHEMA, SQLITE_SCHEMA, postgres_schema, sqlite_schema

STALE = "is stale: run `python -m tests.support.schema` and commit the result"


def test_sqlite_schema_is_current() -> None:
    assert SQLITE_SCHEMA.read_text() == sqlite_schema(), f"{SQLITE_SCHEMA.name} {STALE}"


def test_postgres_schema_is_current() -> None:
    if not Cluster().available:
        pytest.skip("no PostgreSQL server: neither initdb on this machine nor SPYGLASS_TEST_POSTGRES_URL")
    cluster = shared_cluster()
    database = cluster.new_database()
    try:
        assert POSTGRES_SCHEMA.read_text() == postgres_schema(database), f"{POSTGRES_SCHEMA.name} {STALE}"
    finally:
        cluster.drop_database(database)
