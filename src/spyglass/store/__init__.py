"""Storage backends behind one interface (base.py). `open_store` is the only place that picks one."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from spyglass.store.base import NotSupported, Store


def open_store(url: str, *, sqlite_synchronous: str = "NORMAL") -> Store:
    """Open the store named by `url`: `sqlite:///relative/path.db`, `sqlite:////abs/path.db`, a bare path, or
    `postgresql://user:pass@host:5432/db` (docs/storage.md)."""
    parsed = urlparse(url)
    if parsed.scheme in ("", "sqlite", "file"):
        from spyglass.store.sqlite.store import SqliteStore

        raw = url if parsed.scheme == "" else unquote(url.split(":", 1)[1])
        if raw.startswith("///"):
            raw = raw[3:]
        elif raw.startswith("//"):
            raw = raw[2:]
        return SqliteStore(Path(raw), synchronous=sqlite_synchronous)
    if parsed.scheme in ("postgresql", "postgres"):
        try:
            from spyglass.store.postgres.store import open_postgres
        except ImportError as exc:
            raise NotSupported(f"PostgreSQL needs psycopg: pip install 'spyglass[postgres]' ({exc})") from None
        return open_postgres(url)
    raise NotSupported(f"no store for {parsed.scheme!r} URLs in this version; use sqlite:///path/to/spyglass.db")
