"""tests/prompts/test_concurrency.py, re-run on PostgreSQL (the fixtures of tests/postgres/conftest.py)."""

from tests.prompts.test_concurrency import *  # noqa: F403
