"""tests/datasets/test_experiments.py, re-run on PostgreSQL (the fixtures of tests/postgres/conftest.py)."""

from tests.datasets.test_experiments import *  # noqa: F403
