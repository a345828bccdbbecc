"""tests/datasets/test_sdk_v3.py, re-run on PostgreSQL (the fixtures of tests/postgres/conftest.py)."""

from tests.datasets.test_sdk_v3 import *  # noqa: F403
