"""tests/ingest/test_pipeline_isolation.py, re-run on PostgreSQL (the fixtures of tests/postgres/conftest.py)."""

from tests.ingest.test_pipeline_isolation import *  # noqa: F403
