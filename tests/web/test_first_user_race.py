"""Two replicas starting at the same moment: one creates the first admin, the other starts anyway."""

from __future__ import annotations

import asyncio

import pytest

from spyglass.accounts import ensure_first_user
from spyglass.config import Settings
from spyglass.store.base import Store

pytestmark = pytest.mark.anyio


async def test_concurrent_first_starts_create_one_admin(store: Store, settings: Settings) -> None:
    first, second = await asyncio.gather(ensure_first_user(store, settings), ensure_first_user(store, settings))
    created = [result for result in (first, second) if result is not None]
    assert len(created) == 1
    assert created[0].user.email == "admin@localhost.local"
    assert await store.count_users() == 1
