"""Connection settings: a database that cannot be reached is reported at once, with libpq's reason."""

from __future__ import annotations

import subprocess
import sys

import pytest

from spyglass.store import open_store
from tests.support.server import free_port


@pytest.mark.anyio
async def test_an_unreachable_database_fails_at_once_with_the_reason() -> None:
    store = open_store(f"postgresql://spyglass@127.0.0.1:{free_port()}/spyglass?pool_size=3&connect_timeout=5")
    try:
        with pytest.raises(ConnectionError, match=r"cannot connect to PostgreSQL: .*refused"):
            await store.migrate()
    finally:
        await store.close()


def test_the_cli_names_the_problem() -> None:
    url = f"postgresql://spyglass@127.0.0.1:{free_port()}/spyglass"
    result = subprocess.run([sys.executable, "-m", "spyglass", "migrate", "--database-url", url],
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode != 0
    assert "cannot connect to PostgreSQL" in result.stdout + result.stderr


def test_a_bad_pool_size_is_refused() -> None:
    with pytest.raises(ValueError, match="pool_size must be an integer"):
        open_store("postgresql://spyglass@localhost/spyglass?pool_size=many")
