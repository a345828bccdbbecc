"""tests/evaluation/test_api.py, re-run on PostgreSQL (the fixtures of tests/postgres/conftest.py)."""

from tests.evaluation.test_api import *  # noqa: F403
