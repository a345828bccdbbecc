"""tests/api/test_public_filters.py, re-run on PostgreSQL (the fixtures of tests/postgres/conftest.py)."""

from tests.api.test_public_filters import *  # noqa: F403
