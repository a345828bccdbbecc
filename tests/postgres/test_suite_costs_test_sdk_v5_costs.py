"""tests/costs/test_sdk_v5_costs.py, re-run on PostgreSQL (the fixtures of tests/postgres/conftest.py)."""

from tests.costs.test_sdk_v5_costs import *  # noqa: F403
