"""tests/media/test_media_api.py, re-run on PostgreSQL (the fixtures of tests/postgres/conftest.py)."""

from tests.media.test_media_api import *  # noqa: F403
