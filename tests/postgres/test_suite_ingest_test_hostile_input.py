"""tests/ingest/test_hostile_input.py, re-run on PostgreSQL (the fixtures of tests/postgres/conftest.py)."""

from tests.ingest.test_hostile_input import *  # noqa: F403
