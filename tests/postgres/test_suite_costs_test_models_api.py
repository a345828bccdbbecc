"""tests/costs/test_models_api.py, re-run on PostgreSQL (the fixtures of tests/postgres/conftest.py)."""

from tests.costs.test_models_api import *  # noqa: F403
