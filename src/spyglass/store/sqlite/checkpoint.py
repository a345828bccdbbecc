"""WAL checkpoints on their own thread, so a commit on the writer never waits for one.

SQLite's automatic checkpoint runs inside the COMMIT that crosses its threshold, copying the WAL back into the
database file and syncing it while the writer (and every request waiting for its ack) stands still. Here the writer
connection turns that off, and after a commit this thread runs a PASSIVE checkpoint at most once per `interval`
seconds: it copies what no reader still needs and never blocks the writer or readers. Durability is unchanged: a
committed transaction is in the WAL either way.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

log = logging.getLogger("spyglass.sqlite")


class Checkpointer:
    def __init__(self, path: Path, *, interval: float = 1.0) -> None:
        self._path = path
        self._interval = interval
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="spyglass-sqlite-checkpoint")
        self._conn: sqlite3.Connection | None = None
        self._last = time.monotonic()
        self._busy = threading.Event()

    def after_commit(self) -> None:
        """Called by the writer after each commit; cheap when no checkpoint is due."""
        if self._busy.is_set() or time.monotonic() - self._last < self._interval:
            return
        self._busy.set()
        self._pool.submit(self._run, "PASSIVE")

    def _run(self, mode: str) -> None:
        try:
            if self._conn is None:
                self._conn = sqlite3.connect(str(self._path), check_same_thread=False, isolation_level=None)
                self._conn.execute("PRAGMA busy_timeout=30000")
            self._conn.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
        except sqlite3.Error:
            log.exception("WAL checkpoint failed; the next commit will try again")
        finally:
            self._last = time.monotonic()
            self._busy.clear()

    def close(self) -> None:
        """Fold the whole WAL back into the database file and stop the thread."""
        self._pool.submit(self._run, "TRUNCATE").result()
        self._pool.shutdown(wait=True)
        if self._conn is not None:
            self._conn.close()
            self._conn = None
