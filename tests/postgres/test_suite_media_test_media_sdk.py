"""tests/media/test_media_sdk.py, re-run on PostgreSQL (the fixtures of tests/postgres/conftest.py)."""

from tests.media.test_media_sdk import *  # noqa: F403
