"""Fixtures for every suite: an in-process app over a real SQLite file, and a live server process."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from spyglass.app import create_app
from spyglass.config import Settings
from spyglass.projects import bootstrap
from spyglass.store import open_store
from spyglass.store.base import Store
from tests.support.postgres import add_db_option
from tests.support.server import PUBLIC_KEY, SECRET_KEY, ServerProcess


def pytest_addoption(parser: pytest.Parser) -> None:
    add_db_option(parser)  # --db sqlite|postgres|all: the store backends of tests/store and tests/postgres


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", init_public_key=PUBLIC_KEY, init_secret_key=SECRET_KEY)


@pytest.fixture
async def store(settings: Settings) -> AsyncIterator[Store]:
    opened = open_store(settings.store_url)
    await opened.migrate()
    yield opened
    await opened.close()


@pytest.fixture
async def app_client(settings: Settings, store: Store) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client on the ASGI app (lifespan running) over a real SQLite file, signed with the init keys."""
    await bootstrap(store, settings)
    app = create_app(settings, store)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://spyglass.test", auth=(PUBLIC_KEY, SECRET_KEY)
        ) as client:
            client.app = app  # type: ignore[attr-defined]
            yield client


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A live `spyglass serve` on a free port with a fresh data dir and the keys pk-lf-test / sk-lf-test-secret-key."""
    proc = ServerProcess(tmp_path / "server").start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def module_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One live server shared by a module's tests (each test uses its own trace ids)."""
    proc = ServerProcess(tmp_path_factory.mktemp("server")).start()
    yield proc
    proc.stop()
