"""tests/ingest/test_bad_input.py, re-run on PostgreSQL (the fixtures of tests/postgres/conftest.py)."""

from tests.ingest.test_bad_input import *  # noqa: F403
