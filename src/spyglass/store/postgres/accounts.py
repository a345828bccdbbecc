"""Accounts in the PostgreSQL backend: users, memberships, signed-in web sessions, the cookie key."""

from __future__ import annotations

from datetime import UTC, datetime

import psycopg
from psycopg import AsyncConnection
from psycopg.rows import DictRow

from spyglass.domain.accounts import Membership, Role, User
from spyglass.store.base import Conflict, NotFound
from spyglass.store.postgres.rows import Row

Conn = AsyncConnection[DictRow]


def _user(row: Row) -> User:
    return User(
        id=row["id"], email=row["email"], name=row["name"], password_hash=row["password_hash"],
        is_admin=bool(row["is_admin"]), created_at=row["created_at"],
    )  # fmt: skip


async def create_user(conn: Conn, user: User) -> None:
    try:
        await conn.execute(
            "INSERT INTO users (id, email, name, password_hash, is_admin, created_at) VALUES (%s, %s, %s, %s, %s, %s)",
            (user.id, user.email, user.name, user.password_hash, user.is_admin, user.created_at),
        )
    except psycopg.errors.UniqueViolation:
        raise Conflict(f"a user with the email {user.email!r} exists") from None


async def count_users(conn: Conn) -> int:
    cur = await conn.execute("SELECT count(*) AS n FROM users")
    row = await cur.fetchone()
    return int(row["n"]) if row else 0


async def find_user(conn: Conn, email: str) -> User | None:
    cur = await conn.execute("SELECT * FROM users WHERE email = %s", (email,))
    row = await cur.fetchone()
    return _user(row) if row is not None else None


async def get_user(conn: Conn, user_id: str) -> User:
    cur = await conn.execute("SELECT * FROM users WHERE id = %s", (user_id,))
    row = await cur.fetchone()
    if row is None:
        raise NotFound(f"user {user_id!r} not found")
    return _user(row)


async def list_users(conn: Conn) -> list[User]:
    cur = await conn.execute("SELECT * FROM users ORDER BY created_at, email")
    return [_user(r) for r in await cur.fetchall()]


async def set_password(conn: Conn, user_id: str, password_hash: str) -> None:
    async with conn.transaction():
        cur = await conn.execute("UPDATE users SET password_hash = %s WHERE id = %s", (password_hash, user_id))
        if cur.rowcount == 0:
            raise NotFound(f"user {user_id!r} not found")
        # A new password signs the user out everywhere.
        await conn.execute("DELETE FROM web_sessions WHERE user_id = %s", (user_id,))


async def set_membership(conn: Conn, membership: Membership) -> None:
    await conn.execute(
        "INSERT INTO memberships (project_id, user_id, role) VALUES (%s, %s, %s)"
        " ON CONFLICT (project_id, user_id) DO UPDATE SET role = excluded.role",
        (membership.project_id, membership.user_id, membership.role.value),
    )


async def list_memberships(conn: Conn, user_id: str) -> list[Membership]:
    cur = await conn.execute("SELECT * FROM memberships WHERE user_id = %s ORDER BY project_id", (user_id,))
    return [Membership(r["project_id"], r["user_id"], Role(r["role"])) for r in await cur.fetchall()]


async def create_web_session(conn: Conn, token_hash: str, user_id: str, expires_at: datetime) -> None:
    now = datetime.now(UTC)
    async with conn.transaction():
        await conn.execute("DELETE FROM web_sessions WHERE expires_at < %s", (now,))
        await conn.execute(
            "INSERT INTO web_sessions (token_hash, user_id, created_at, expires_at) VALUES (%s, %s, %s, %s)",
            (token_hash, user_id, now, expires_at),
        )


async def web_session_user(conn: Conn, token_hash: str) -> User | None:
    cur = await conn.execute(
        "SELECT users.* FROM web_sessions JOIN users ON users.id = web_sessions.user_id"
        " WHERE token_hash = %s AND expires_at > %s",
        (token_hash, datetime.now(UTC)),
    )
    row = await cur.fetchone()
    return _user(row) if row is not None else None


async def delete_web_session(conn: Conn, token_hash: str) -> None:
    await conn.execute("DELETE FROM web_sessions WHERE token_hash = %s", (token_hash,))


async def web_secret(conn: Conn) -> str:
    cur = await conn.execute("SELECT value FROM web_secrets WHERE name = 'cookie'")
    row = await cur.fetchone()
    if row is None:
        raise NotFound("the cookie key is missing: run `spyglass migrate`")
    return str(row["value"])
