"""tests/ingest/test_hostile_fuzz.py, re-run on PostgreSQL (the fixtures of tests/postgres/conftest.py)."""

from tests.ingest.test_hostile_fuzz import *  # noqa: F403
