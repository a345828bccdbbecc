"""Account use cases: the first admin, creating users, signing in, and who may see which project.

Built on the Store and domain/accounts.py; no SQL and no HTTP here.
"""

from __future__ import annotations

import asyncio
import functools
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from spyglass.config import Settings
from spyglass.domain.accounts import (
    AccountError,
    Membership,
    Role,
    User,
    check_password,
    hash_password,
    normalize_email,
    verify_password,
)
from spyglass.domain.model import Project
from spyglass.store.base import Conflict, Store


@functools.cache
def _dummy_hash() -> str:
    """Checked against when the email is unknown, so a wrong email costs as long as a wrong password."""
    return hash_password("spyglass-dummy-password")


@dataclass(frozen=True, slots=True)
class FirstUser:
    """The admin made on first start; `password` is set only when Spyglass chose it (shown once)."""

    user: User
    password: str | None


async def create_user(
    store: Store, email: str, password: str, *, name: str = "", is_admin: bool = False,
    roles: dict[str, Role] | None = None,
) -> User:  # fmt: skip
    """Create a user (raises AccountError for a bad email or weak password, Conflict for a taken email)."""
    check_password(password)
    user = User(
        id=uuid.uuid4().hex, email=normalize_email(email), name=name.strip(), password_hash=hash_password(password),
        is_admin=is_admin, created_at=datetime.now(UTC),
    )  # fmt: skip
    await store.create_user(user)
    for project_id, role in (roles or {}).items():
        await store.set_membership(Membership(project_id, user.id, role))
    return user


async def ensure_first_user(store: Store, settings: Settings) -> FirstUser | None:
    """When no user exists: an instance admin from SPYGLASS_INIT_USER_* or with a generated password."""
    if await store.count_users() > 0:
        return None
    email = settings.init_user_email or "admin@localhost.local"
    given = settings.init_user_password
    password = given or secrets.token_urlsafe(12)
    try:
        user = await create_user(store, email, password, name="Admin", is_admin=True)
    except AccountError as exc:
        # A bad SPYGLASS_INIT_USER_* stops the start with the reason, like any other bad setting.
        raise SystemExit(f"SPYGLASS_INIT_USER_EMAIL / SPYGLASS_INIT_USER_PASSWORD: {exc}") from None
    except Conflict:
        # Another replica starting at the same moment created the first user: it printed the credentials.
        return None
    return FirstUser(user, None if given else password)


async def authenticate(store: Store, email: str, password: str) -> User | None:
    """The user when the email and password match; None otherwise (the same time either way)."""
    try:
        user = await store.find_user(normalize_email(email))
    except ValueError:
        user = None
    # argon2 is memory-hard on purpose (a quarter of a second here): off the event loop, so ingestion never waits.
    if user is None:
        await asyncio.to_thread(verify_password, password, _dummy_hash())
        return None
    return user if await asyncio.to_thread(verify_password, password, user.password_hash) else None


async def project_roles(store: Store, user: User) -> list[tuple[Project, Role]]:
    """The projects the user may open with their role in each; an instance admin is owner everywhere."""
    projects = await store.list_projects()
    if user.is_admin:
        return [(p, Role.OWNER) for p in projects]
    roles = {m.project_id: m.role for m in await store.list_memberships(user.id)}
    return [(p, roles[p.id]) for p in projects if p.id in roles]
