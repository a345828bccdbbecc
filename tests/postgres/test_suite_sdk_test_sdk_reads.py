"""tests/sdk/test_sdk_reads.py, re-run on PostgreSQL (the fixtures of tests/postgres/conftest.py)."""

from tests.sdk.test_sdk_reads import *  # noqa: F403
