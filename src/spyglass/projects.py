"""Project and API key use cases: first-start bootstrap, creating and revoking keys. Built on the Store."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from spyglass.config import MIN_SECRET_CHARS, Settings
from spyglass.domain.keys import display_secret, hash_secret, new_key_pair
from spyglass.domain.model import ApiKey, Project
from spyglass.store.base import Conflict, NotFound, Store


@dataclass(frozen=True, slots=True)
class NewKey:
    """A freshly created key pair: the only moment the secret is known in clear."""

    project: Project
    public_key: str
    secret_key: str


@dataclass(frozen=True, slots=True)
class Bootstrap:
    project: Project
    created_key: NewKey | None


async def find_project(store: Store, name_or_id: str) -> Project:
    """A project by name or id; raises NotFound."""
    for project in await store.list_projects():
        if name_or_id in (project.id, project.name):
            return project
    raise NotFound(f"no project named {name_or_id!r}")


async def create_key(
    store: Store, project: Project, public_key: str | None = None, secret_key: str | None = None,
    note: str | None = None,
) -> NewKey:  # fmt: skip
    """Create a key pair for `project` (given or fresh); the secret is stored only as a salted hash."""
    fresh_public, fresh_secret = new_key_pair()
    public_key = public_key or fresh_public
    secret_key = secret_key or fresh_secret
    await store.create_api_key(
        ApiKey(
            id=uuid.uuid4().hex,
            project_id=project.id,
            public_key=public_key,
            secret_hash=hash_secret(secret_key),
            display_secret=display_secret(secret_key),
            created_at=datetime.now(UTC),
            note=note,
        )
    )
    return NewKey(project, public_key, secret_key)


async def bootstrap(store: Store, settings: Settings) -> Bootstrap:
    """On first start: the default project and one key pair (from SPYGLASS_INIT_* when set).

    Later starts change nothing, except that init keys not stored yet are added to the init project. A given
    init secret shorter than MIN_SECRET_CHARS stops the start with the reason (SystemExit).
    """
    secret = settings.init_secret_key
    if secret is not None and len(secret) < MIN_SECRET_CHARS:
        raise SystemExit(
            f"SPYGLASS_INIT_SECRET_KEY / LANGFUSE_INIT_PROJECT_SECRET_KEY must be at least {MIN_SECRET_CHARS}"
            f" characters (got {len(secret)}): a short secret is easy to guess"
        )
    try:
        project = await find_project(store, settings.init_project_name)
    except NotFound:
        try:
            project = await store.create_project(settings.init_project_name)
        except Conflict:
            project = await find_project(store, settings.init_project_name)
    created: NewKey | None = None
    if settings.init_public_key and settings.init_secret_key:
        if await store.find_api_key(settings.init_public_key) is None:
            try:
                created = await create_key(store, project, settings.init_public_key, settings.init_secret_key, "init")
            except Conflict:
                created = None  # another replica starting at the same moment stored it first
    elif not await store.list_api_keys(project.id):
        created = await create_key(store, project, note="first start")
    return Bootstrap(project, created)
