"""A throwaway PostgreSQL cluster for the tests: initdb + pg_ctl from the installed server, on a unix socket.

One cluster per test session (about a second to start), a migrated template database, and a fresh database per test
cloned from it. initdb refuses to run as root, so as root the cluster runs as the `postgres` user. Set
SPYGLASS_TEST_POSTGRES_URL (an admin URL such as postgresql://postgres@localhost:5432/postgres) to use a running
server instead, for example a CI service container.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
import pytest

from spyglass.store import open_store

TEMPLATE = "spyglass_template"


def find_bindir() -> Path | None:
    """The newest installed PostgreSQL's bin directory, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parent.parent.name))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


_PREFIX = "spyglass-pg-"
_ORPHAN_AGE = 1800  # seconds: a cluster dir without an owner file (older helpers) is left alone this long


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reap_stale_clusters(bindir: Path) -> None:
    """Stop and remove the clusters of test sessions that ended without stopping theirs (killed by a timeout, say)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{_PREFIX}*"):
        owner = folder / "owner.pid"
        try:
            if owner.exists():
                if _alive(int(owner.read_text() or 0)):
                    continue
            elif time.time() - folder.stat().st_mtime < _ORPHAN_AGE:
                continue
        except (OSError, ValueError):
            continue
        if (folder / "data" / "postmaster.pid").exists():
            stop = [str(bindir / "pg_ctl"), "-D", str(folder / "data"), "-m", "immediate", "-w", "stop"]
            subprocess.run(_as_postgres(stop), check=False, capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


class Cluster:
    """A running PostgreSQL server, either started here or given by SPYGLASS_TEST_POSTGRES_URL."""

    def __init__(self) -> None:
        self.dir: Path | None = None
        self.bindir: Path | None = None
        self.admin_url = ""
        self._own = False
        self._options = ""

    @property
    def available(self) -> bool:
        return bool(os.environ.get("SPYGLASS_TEST_POSTGRES_URL")) or find_bindir() is not None

    def _as_owner(self, args: list[str]) -> list[str]:
        return _as_postgres(args)

    def start(self) -> Cluster:
        given = os.environ.get("SPYGLASS_TEST_POSTGRES_URL")
        if given:
            self.admin_url = given
        else:
            self._start_local()
        self._make_template()
        return self

    def _start_local(self) -> None:
        bindir = find_bindir()
        if bindir is None:
            raise RuntimeError("no PostgreSQL server binaries (initdb) found; apt-get install postgresql")
        self.bindir = bindir
        reap_stale_clusters(bindir)
        # Not under pytest's tmp dirs: those are private to the current user, and the server may run as postgres.
        self.dir = Path(tempfile.mkdtemp(prefix=_PREFIX))
        (self.dir / "owner.pid").write_text(str(os.getpid()))
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        data = self.dir / "data"
        subprocess.run(
            self._as_owner([str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                            "--no-sync", "--locale=C"]),
            check=True, capture_output=True,
        )  # fmt: skip
        # Unix socket only, in our own directory: no TCP port to collide with. fsync off: a test cluster.
        options = f"-k {self.dir} -c listen_addresses='' -c fsync=off -c full_page_writes=off -c max_connections=200"
        self._options = options
        subprocess.run(
            self._as_owner([str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(self.dir / "log"),
                            "-w", "-t", "60", "start"]),
            check=True, capture_output=True,
        )  # fmt: skip
        self._own = True
        self.admin_url = f"postgresql://postgres@/postgres?host={quote(str(self.dir), safe='')}"

    def url(self, database: str) -> str:
        parts = urlsplit(self.admin_url)
        return urlunsplit(parts._replace(path=f"/{database}"))

    def _admin(self, sql: str) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(sql.encode())

    def _make_template(self) -> None:
        self._admin(f"DROP DATABASE IF EXISTS {TEMPLATE}")
        self._admin(f"CREATE DATABASE {TEMPLATE}")

        async def migrate() -> None:
            store = open_store(self.url(TEMPLATE))
            await store.migrate()
            await store.close()

        # In a thread of its own: the caller may be inside a running event loop (an async fixture).
        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(asyncio.run, migrate()).result()

    def new_database(self) -> str:
        """A fresh, migrated database (cloned from the template); returns its URL."""
        name = f"t_{uuid.uuid4().hex[:16]}"
        self._admin(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop a database made by new_database / empty_database (closing what still uses it)."""
        name = urlsplit(url).path.lstrip("/")
        if name.startswith(("t_", "e_")) and name.replace("_", "").isalnum():
            self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def empty_database(self) -> str:
        """A fresh database with no schema at all; returns its URL."""
        name = f"e_{uuid.uuid4().hex[:16]}"
        self._admin(f"CREATE DATABASE {name}")
        return self.url(name)

    def pause(self) -> None:
        """Stop the server but keep its data (a database restart, for fault tests); `resume` starts it again."""
        assert self._own and self.bindir is not None and self.dir is not None
        subprocess.run(self._as_owner([str(self.bindir / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast", "-w",
                                       "stop"]), check=True, capture_output=True)  # fmt: skip

    def resume(self) -> None:
        assert self._own and self.bindir is not None and self.dir is not None
        subprocess.run(self._as_owner([str(self.bindir / "pg_ctl"), "-D", str(self.dir / "data"), "-o", self._options,
                                       "-l", str(self.dir / "log"), "-w", "start"]),
                       check=True, capture_output=True)  # fmt: skip

    def stop(self) -> None:
        if self._own and self.bindir is not None and self.dir is not None:
            subprocess.run(
                self._as_owner([str(self.bindir / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate", "-w",
                                "stop"]),
                check=False, capture_output=True,
            )  # fmt: skip
            shutil.rmtree(self.dir, ignore_errors=True)
        self._own = False


_shared: Cluster | None = None


def shared_cluster() -> Cluster:
    """The session's one cluster, started on first use and stopped when the test process exits."""
    global _shared
    if _shared is None:
        import atexit

        cluster = Cluster().start()
        atexit.register(cluster.stop)
        _shared = cluster
    return _shared


def selected_backends(option: str | None) -> list[str]:
    """The store backends a `--db sqlite|postgres|all` option (or SPYGLASS_TEST_DB) asks for."""
    choice = (option or os.environ.get("SPYGLASS_TEST_DB") or "all").lower()
    if choice == "all":
        return ["sqlite", "postgres"]
    if choice not in ("sqlite", "postgres"):
        raise ValueError(f"--db must be sqlite, postgres or all, got {choice!r}")
    return [choice]


def add_db_option(parser: pytest.Parser) -> None:
    """`--db sqlite|postgres|all`, from whichever of tests/store and tests/postgres pytest loads first."""
    with contextlib.suppress(ValueError):  # the other conftest added it
        parser.addoption(
            "--db", default=None, choices=("sqlite", "postgres", "all"),
            help="Store backends for the storage contract and PostgreSQL tests (default all; env SPYGLASS_TEST_DB).",
        )  # fmt: skip
