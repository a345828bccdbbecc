"""tests/api/test_compressed_bodies.py, re-run on PostgreSQL (the fixtures of tests/postgres/conftest.py)."""

from tests.api.test_compressed_bodies import *  # noqa: F403
