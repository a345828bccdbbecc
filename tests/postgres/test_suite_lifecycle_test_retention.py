"""tests/lifecycle/test_retention.py's store-level test, re-run on PostgreSQL (tests/postgres/conftest.py fixtures)."""

from tests.lifecycle.test_retention import test_exactly_what_is_older_is_deleted  # noqa: F401
