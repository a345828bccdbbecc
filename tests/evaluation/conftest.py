"""The web suite's fixtures (signed-in users with each role) for the evaluation pages."""

from tests.web.conftest import project_id, users, web  # noqa: F401
