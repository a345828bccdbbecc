"""Accounts: users, per-project roles and what each role may do; password hashing (pure; no storage).

Passwords are hashed with argon2id (memory-hard). Roles follow Langfuse's: owner > admin > member > viewer.
An instance admin (the first user) acts as owner in every project.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
MIN_PASSWORD_LENGTH = 8


class Role(enum.StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"
    VIEWER = "viewer"


_RANK = {Role.VIEWER: 0, Role.MEMBER: 1, Role.ADMIN: 2, Role.OWNER: 3}


class Action(enum.StrEnum):
    READ = "read"
    ANNOTATE = "annotate"  # add scores, bookmark
    SHARE = "share"  # switch a trace's public link on and off
    EDIT_DATASETS = "edit_datasets"  # create datasets, add, edit and archive their items
    MANAGE_KEYS = "manage_keys"
    MANAGE_DATA = "manage_data"  # retention (deletes data) and masking
    EDIT_PROMPTS = "edit_prompts"  # new prompt versions, move labels
    MANAGE_MODELS = "manage_models"  # add, edit and delete the project's model prices
    RECOMPUTE_COSTS = "recompute_costs"  # re-price stored generations
    EDIT_DASHBOARDS = "edit_dashboards"  # create, change and delete custom dashboards


_NEEDS = {Action.READ: Role.VIEWER, Action.ANNOTATE: Role.MEMBER, Action.SHARE: Role.OWNER,
          Action.MANAGE_KEYS: Role.ADMIN, Action.MANAGE_DATA: Role.OWNER, Action.EDIT_PROMPTS: Role.MEMBER,
          Action.MANAGE_MODELS: Role.ADMIN, Action.RECOMPUTE_COSTS: Role.OWNER,
          Action.EDIT_DASHBOARDS: Role.MEMBER, Action.EDIT_DATASETS: Role.MEMBER}  # fmt: skip


class AccountError(ValueError):
    """An account value that cannot be used (bad email, short password, unknown role)."""


@dataclass(frozen=True, slots=True)
class User:
    id: str
    email: str
    name: str
    password_hash: str
    is_admin: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Membership:
    project_id: str
    user_id: str
    role: Role


def can(role: Role | None, action: Action) -> bool:
    """Whether `role` (None: no access) may perform `action`."""
    if role is None:
        return False
    return _RANK[role] >= _RANK[_NEEDS[action]]


def parse_role(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        raise AccountError(f"role must be one of {', '.join(Role)}, got {value!r}") from None


def normalize_email(email: str) -> str:
    """Trimmed and lower-cased; raises AccountError when it is not an address."""
    cleaned = email.strip().lower()
    if not _EMAIL.match(cleaned) or len(cleaned) > 320:
        raise AccountError(f"not an email address: {email[:80]!r}")
    return cleaned


def check_password(password: str) -> None:
    """Raises AccountError when the password is too weak to accept."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")


def hash_password(password: str) -> str:
    """An argon2id hash with its own salt and parameters, in the PHC string form."""
    return _HASHER.hash(password)


def verify_password(password: str, stored: str) -> bool:
    """True when `password` matches `stored`; never raises on a malformed hash."""
    try:
        return _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
