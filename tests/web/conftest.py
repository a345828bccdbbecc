"""Web UI fixtures: users with each role, and a signed-in client on the in-process app."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from spyglass.accounts import create_user
from spyglass.domain.accounts import Role
from spyglass.store.base import Store

PASSWORD = "correct horse battery"


async def sign_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    """Sign in the way a browser does: load the form (cookie + token), post it back."""
    form = await client.get("/signin")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert token is not None, form.text
    return await client.post(
        "/signin", data={"email": email, "password": password, "csrf": token.group(1), "next": "/"}
    )


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


@pytest.fixture
async def project_id(store: Store, app_client: httpx.AsyncClient) -> str:
    return (await store.list_projects())[0].id


@pytest.fixture
async def users(store: Store, project_id: str) -> dict[str, str]:
    """One user per role in the default project, plus an instance admin: role -> email."""
    made = {"admin-instance": "root@example.com"}
    await create_user(store, made["admin-instance"], PASSWORD, is_admin=True)
    for role in Role:
        email = f"{role.value}@example.com"
        await create_user(store, email, PASSWORD, roles={project_id: role})
        made[role.value] = email
    return made


@pytest.fixture
async def web(app_client: httpx.AsyncClient, users: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    """A client signed in as a project member (no API keys attached, like a browser)."""
    transport = app_client._transport
    async with httpx.AsyncClient(transport=transport, base_url="http://spyglass.test") as client:
        response = await sign_in(client, users["member"])
        assert response.status_code == 303, response.text
        yield client
