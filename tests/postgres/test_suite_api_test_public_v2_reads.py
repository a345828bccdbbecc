"""tests/api/test_public_v2_reads.py, re-run on PostgreSQL (the fixtures of tests/postgres/conftest.py)."""

from tests.api.test_public_v2_reads import *  # noqa: F403
