"""Accounts in the SQLite backend: users, memberships, signed-in web sessions, the cookie key. Writer or reader
connection as each function's caller picks (reads on readers, changes on the writer)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from spyglass.domain.accounts import Membership, Role, User
from spyglass.domain.bounds import datetime_from_us
from spyglass.store.base import Conflict, NotFound

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _us(value: datetime) -> int:
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _user(row: sqlite3.Row) -> User:
    return User(
        id=row["id"], email=row["email"], name=row["name"], password_hash=row["password_hash"],
        is_admin=bool(row["is_admin"]), created_at=datetime_from_us(row["created_at"]),
    )  # fmt: skip


def create_user(conn: sqlite3.Connection, user: User) -> None:
    try:
        conn.execute(
            "INSERT INTO users (id, email, name, password_hash, is_admin, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (user.id, user.email, user.name, user.password_hash, int(user.is_admin), _us(user.created_at)),
        )
    except sqlite3.IntegrityError:
        raise Conflict(f"a user with the email {user.email!r} exists") from None


def count_users(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM users").fetchone()[0])


def find_user(conn: sqlite3.Connection, email: str) -> User | None:
    row = conn.execute("SELECT * FROM users WHERE email = ?", (email,)).fetchone()
    return _user(row) if row is not None else None


def get_user(conn: sqlite3.Connection, user_id: str) -> User:
    row = conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
    if row is None:
        raise NotFound(f"user {user_id!r} not found")
    return _user(row)


def list_users(conn: sqlite3.Connection) -> list[User]:
    return [_user(r) for r in conn.execute("SELECT * FROM users ORDER BY created_at, email")]


def set_password(conn: sqlite3.Connection, user_id: str, password_hash: str) -> None:
    cur = conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id))
    if cur.rowcount == 0:
        raise NotFound(f"user {user_id!r} not found")
    # A new password signs the user out everywhere.
    conn.execute("DELETE FROM web_sessions WHERE user_id = ?", (user_id,))


def set_membership(conn: sqlite3.Connection, membership: Membership) -> None:
    conn.execute(
        "INSERT INTO memberships (project_id, user_id, role) VALUES (?, ?, ?)"
        " ON CONFLICT (project_id, user_id) DO UPDATE SET role = excluded.role",
        (membership.project_id, membership.user_id, membership.role.value),
    )


def list_memberships(conn: sqlite3.Connection, user_id: str) -> list[Membership]:
    rows = conn.execute("SELECT * FROM memberships WHERE user_id = ? ORDER BY project_id", (user_id,))
    return [Membership(r["project_id"], r["user_id"], Role(r["role"])) for r in rows]


def create_web_session(conn: sqlite3.Connection, token_hash: str, user_id: str, expires_at: datetime) -> None:
    now = _us(datetime.now(UTC))
    conn.execute("DELETE FROM web_sessions WHERE expires_at < ?", (now,))
    conn.execute(
        "INSERT INTO web_sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
        (token_hash, user_id, now, _us(expires_at)),
    )


def web_session_user(conn: sqlite3.Connection, token_hash: str) -> User | None:
    row = conn.execute(
        "SELECT users.* FROM web_sessions JOIN users ON users.id = web_sessions.user_id"
        " WHERE token_hash = ? AND expires_at > ?",
        (token_hash, _us(datetime.now(UTC))),
    ).fetchone()
    return _user(row) if row is not None else None


def delete_web_session(conn: sqlite3.Connection, token_hash: str) -> None:
    conn.execute("DELETE FROM web_sessions WHERE token_hash = ?", (token_hash,))


def web_secret(conn: sqlite3.Connection) -> str:
    row = conn.execute("SELECT value FROM web_secrets WHERE name = 'cookie'").fetchone()
    if row is None:
        raise NotFound("the cookie key is missing: run `spyglass migrate`")
    return str(row[0])
