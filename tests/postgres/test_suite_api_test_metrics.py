"""tests/api/test_metrics.py, re-run on PostgreSQL (the fixtures of tests/postgres/conftest.py)."""

from tests.api.test_metrics import *  # noqa: F403
