"""tests/web/test_export.py, re-run on PostgreSQL (the fixtures of tests/postgres/conftest.py)."""

from tests.web.conftest import project_id, users, web  # noqa: F401 (the web suite's fixtures)
from tests.web.test_export import *  # noqa: F403
from tests.web.test_traces_pages import filled  # noqa: F401
