"""tests/sdk/test_sdk_otel.py, re-run on PostgreSQL (the fixtures of tests/postgres/conftest.py)."""

from tests.sdk.test_sdk_otel import *  # noqa: F403
