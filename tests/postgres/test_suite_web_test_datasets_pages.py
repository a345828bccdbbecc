"""tests/web/test_datasets_pages.py, re-run on PostgreSQL (the fixtures of tests/postgres/conftest.py)."""

from tests.web.conftest import project_id, users, web  # noqa: F401 (the web suite's fixtures)
from tests.web.test_datasets_pages import *  # noqa: F403
