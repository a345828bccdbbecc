"""tests/ingest/test_langfuse_replay.py, re-run on PostgreSQL (the fixtures of tests/postgres/conftest.py)."""

from tests.ingest.test_langfuse_replay import *  # noqa: F403
