"""tests/datasets/test_api.py, re-run on PostgreSQL (the fixtures of tests/postgres/conftest.py)."""

from tests.datasets.test_api import *  # noqa: F403
