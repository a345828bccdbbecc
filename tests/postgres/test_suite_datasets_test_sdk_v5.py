"""tests/datasets/test_sdk_v5.py, re-run on PostgreSQL (the fixtures of tests/postgres/conftest.py)."""

from tests.datasets.test_sdk_v5 import *  # noqa: F403
