"""Storage contract for web UI accounts: users, memberships, signed-in sessions and the cookie key, on every backend."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from spyglass.domain.accounts import Membership, Role, User, hash_password
from spyglass.store.base import Conflict, NotFound, Store

pytestmark = pytest.mark.anyio


def make_user(**overrides: object) -> User:
    fields: dict[str, object] = {
        "id": uuid.uuid4().hex, "email": f"{uuid.uuid4().hex[:8]}@example.com", "name": "", "password_hash": "h",
        "is_admin": False, "created_at": datetime(2026, 1, 1, tzinfo=UTC),
    }  # fmt: skip
    fields.update(overrides)
    return User(**fields)  # type: ignore[arg-type]


async def test_users_are_unique_by_email_and_read_back(store_backend: Store) -> None:
    ann = make_user(email="ann@example.com", name="Ann", is_admin=True)
    await store_backend.create_user(ann)
    with pytest.raises(Conflict):
        await store_backend.create_user(make_user(email="ann@example.com"))
    assert await store_backend.find_user("ann@example.com") == ann
    assert await store_backend.find_user("bob@example.com") is None
    assert await store_backend.get_user(ann.id) == ann
    with pytest.raises(NotFound):
        await store_backend.get_user("missing")
    bob = make_user(email="bob@example.com", created_at=datetime(2026, 2, 1, tzinfo=UTC))
    await store_backend.create_user(bob)
    assert [u.email for u in await store_backend.list_users()] == ["ann@example.com", "bob@example.com"]
    assert await store_backend.count_users() == 2


async def test_memberships_replace_the_role_in_a_project(store_backend: Store) -> None:
    user = make_user()
    await store_backend.create_user(user)
    project = await store_backend.create_project("accounts")
    await store_backend.set_membership(Membership(project.id, user.id, Role.VIEWER))
    await store_backend.set_membership(Membership(project.id, user.id, Role.ADMIN))
    assert await store_backend.list_memberships(user.id) == [Membership(project.id, user.id, Role.ADMIN)]


async def test_web_sessions_expire_and_end_with_a_new_password(store_backend: Store) -> None:
    user = make_user(password_hash=hash_password("first-password"))
    await store_backend.create_user(user)
    later = datetime.now(UTC) + timedelta(days=1)
    await store_backend.create_web_session("live", user.id, later)
    await store_backend.create_web_session("stale", user.id, datetime.now(UTC) - timedelta(seconds=1))
    found = await store_backend.web_session_user("live")
    assert found is not None and found.id == user.id
    assert await store_backend.web_session_user("stale") is None
    await store_backend.delete_web_session("live")
    assert await store_backend.web_session_user("live") is None
    await store_backend.create_web_session("again", user.id, later)
    await store_backend.set_password(user.id, "new-hash")
    assert await store_backend.web_session_user("again") is None  # a new password signs out everywhere
    assert (await store_backend.get_user(user.id)).password_hash == "new-hash"
    with pytest.raises(NotFound):
        await store_backend.set_password("missing", "x")


async def test_the_cookie_key_is_made_once_and_stays(store_backend: Store) -> None:
    key = await store_backend.web_secret()
    assert len(bytes.fromhex(key)) == 32
    assert await store_backend.web_secret() == key
