"""tests/api/test_metrics_sdk.py, re-run on PostgreSQL (the fixtures of tests/postgres/conftest.py)."""

from tests.api.test_metrics_sdk import *  # noqa: F403
