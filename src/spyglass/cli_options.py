"""What every `spyglass` command that opens the store shares: the --data-dir and --database-url options, and running
one async function against the opened (and migrated) store."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from spyglass.config import Settings, settings_from_env
from spyglass.store import open_store
from spyglass.store.base import Store

R = TypeVar("R")

DataDir = Annotated[Path | None, typer.Option("--data-dir", help="Where the SQLite file lives (default ./.spyglass).")]
DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="Store URL (default sqlite:///<data-dir>/spyglass.db).")
]


def cli_settings(data_dir: Path | None = None, database_url: str | None = None, **more: object) -> Settings:
    """Settings from the environment, with the command's flags over them."""
    return settings_from_env().with_overrides(data_dir=data_dir, database_url=database_url, **more)


def with_store(settings: Settings, fn: Callable[[Store], Awaitable[R]], *, migrate: bool = True) -> R:
    """Open the store, migrate it (unless told not to), run `fn` on it and close it."""

    async def run() -> R:
        store = open_store(settings.store_url, sqlite_synchronous=settings.sqlite_synchronous)
        try:
            if migrate:
                await store.migrate()
            return await fn(store)
        finally:
            await store.close()

    return asyncio.run(run())
