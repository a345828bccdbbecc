"""tests/ingest/test_otlp.py, re-run on PostgreSQL (the fixtures of tests/postgres/conftest.py)."""

from tests.ingest.test_otlp import *  # noqa: F403
