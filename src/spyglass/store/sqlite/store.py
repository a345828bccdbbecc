"""SqliteStore: the embedded default backend.

One writer thread owns the only write connection and commits each group of events in one transaction; readers run
on a small pool of their own connections. WAL lets readers see every committed write at once without blocking the
writer.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from spyglass.domain.accounts import Membership, User
from spyglass.domain.costs import CostGroup, CostRollup, DailyMetrics, RecomputeReport
from spyglass.domain.cursor_pages import CursorPage, Keyset, ObservationQuery, ScoreQuery, TracedObservation
from spyglass.domain.dashboards import Dashboard
from spyglass.domain.events import Event
from spyglass.domain.lifecycle import DataPolicy, PurgeReport
from spyglass.domain.listing import (
    Cursor,
    GenerationQuery,
    GenerationRow,
    RowPage,
    ScoreBadge,
    ScoreDistribution,
    TraceQuery,
    TraceRow,
    UserSummary,
)
from spyglass.domain.media import Media, MediaLink
from spyglass.domain.metrics import MetricsQuery, MetricsRow
from spyglass.domain.model import (
    ApiKey,
    Observation,
    Project,
    Score,
    Session,
    SessionDetail,
    Trace,
    TraceDetail,
)
from spyglass.domain.pricing import ModelDefinition
from spyglass.domain.prompts import NewPrompt, Prompt, PromptFilter, PromptGeneration, PromptMeta, PromptUsage
from spyglass.store.base import (
    Conflict,
    Content,
    NotFound,
    ObservationFilter,
    Page,
    PageRequest,
    ScoreFilter,
    SessionFilter,
    TraceFilter,
    WriteStats,
)
from spyglass.store.evaluation import EvaluationTables, Row
from spyglass.store.sqlite import dashboards, lifecycle, metrics, models, prompts, queries, ui_queries, users
from spyglass.store.sqlite import media as media_rows
from spyglass.store.sqlite.checkpoint import Checkpointer
from spyglass.store.sqlite.datasets import sqlite_datasets
from spyglass.store.sqlite.queries_v2 import list_observations_v2, list_scores_v3
from spyglass.store.sqlite.rows import api_key_from_row, project_from_row
from spyglass.store.sqlite.writes import refresh_rollups, write_events

R = TypeVar("R")


def _micros_now() -> int:
    now = datetime.now(UTC)
    return int(now.timestamp()) * 1_000_000 + now.microsecond


def _connect(path: str, *, synchronous: str, readonly: bool) -> sqlite3.Connection:
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
    conn.row_factory = sqlite3.Row
    # WAL: readers never block the writer, and a killed process loses nothing that was committed.
    conn.execute("PRAGMA journal_mode=WAL")
    # NORMAL survives a killed process (the promise we test); FULL also survives power loss, at a write cost.
    conn.execute(f"PRAGMA synchronous={synchronous}")
    # Wait rather than fail when a checkpoint or another process holds the lock for a moment.
    conn.execute("PRAGMA busy_timeout=30000")
    # A larger page cache keeps list queries and the writer's id lookups in memory.
    conn.execute("PRAGMA cache_size=-65536")
    conn.execute("PRAGMA temp_store=MEMORY")
    if readonly:
        conn.execute("PRAGMA query_only=ON")
    return conn


def _private_file(path: Path) -> None:
    """Create the data dir (0700) and the database file (0600) readable by this user only; SQLite gives its -wal
    and -shm files the database file's mode. An existing database file (and its -wal/-shm) is tightened too."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    for existing in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if existing.exists() and existing.stat().st_mode & 0o077:
            existing.chmod(0o600)


class SqliteStore:
    """See store/base.py for the contract of every method."""

    def __init__(self, path: Path, *, synchronous: str = "NORMAL", readers: int = 4) -> None:
        if synchronous.upper() not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise ValueError(f"unknown SQLite synchronous setting {synchronous!r}")
        _private_file(path)
        self.path = path
        self._synchronous = synchronous.upper()
        self._writer_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="spyglass-sqlite-writer")
        self._reader_pool = ThreadPoolExecutor(max_workers=readers, thread_name_prefix="spyglass-sqlite-reader")
        self._writer: sqlite3.Connection | None = None
        self._checkpointer = Checkpointer(path)
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self._prices = models.PriceCache()  # the writer's model price definitions; rebuilt when one changes
        self.datasets = sqlite_datasets(self._on_reader, lambda fn: self._on_writer(lambda c: self._transaction(c, fn)))
        self._evaluation = EvaluationTables(_SqlRunner(self))

    @property
    def evaluation(self) -> EvaluationTables:
        return self._evaluation

    # --- plumbing ---

    def _write_conn(self) -> sqlite3.Connection:
        if self._writer is None:
            self._writer = _connect(str(self.path), synchronous=self._synchronous, readonly=False)
            # Checkpoints run on the Checkpointer's thread instead of inside this connection's commits.
            self._writer.execute("PRAGMA wal_autocheckpoint=0")
        return self._writer

    def _read_conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = _connect(str(self.path), synchronous=self._synchronous, readonly=True)
            self._local.conn = conn
            with self._readers_lock:
                self._readers.append(conn)
        return conn

    async def _on_writer(self, fn: Callable[[sqlite3.Connection], R]) -> R:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._writer_pool, lambda: fn(self._write_conn()))

    async def _on_reader(self, fn: Callable[[sqlite3.Connection], R]) -> R:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._reader_pool, lambda: fn(self._read_conn()))

    def _transaction(self, conn: sqlite3.Connection, fn: Callable[[sqlite3.Connection], R]) -> R:
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = fn(conn)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        self._checkpointer.after_commit()
        return result

    # --- lifecycle ---

    async def migrate(self) -> list[str]:
        return await self._on_writer(_migrate)

    async def close(self) -> None:
        def close_writer(_: sqlite3.Connection) -> None:
            if self._writer is not None:
                self._writer.close()
                self._writer = None

        if self._writer is not None:
            await self._on_writer(close_writer)
        self._writer_pool.shutdown(wait=True)
        self._checkpointer.close()
        self._reader_pool.shutdown(wait=True)
        with self._readers_lock:
            for conn in self._readers:
                conn.close()
            self._readers.clear()

    async def integrity_check(self) -> str:
        rows = await self._on_reader(lambda c: c.execute("PRAGMA integrity_check").fetchall())
        return "; ".join(str(r[0]) for r in rows)

    async def contents(self, project_id: str, table: str, ids: Sequence[str]) -> dict[str, Content]:
        return await self._on_reader(lambda c: queries.contents(c, project_id, table, ids))

    # --- media (store/sqlite/media.py) ---

    async def register_media(self, media: Media, link: MediaLink | None) -> Media:
        def register(conn: sqlite3.Connection) -> Media:
            return media_rows.register_media(conn, media, link)

        return await self._on_writer(lambda c: self._transaction(c, register))

    async def get_media(self, project_id: str, media_id: str) -> Media:
        return await self._on_reader(lambda c: media_rows.get_media(c, project_id, media_id))

    async def record_media_upload(
        self, project_id: str, media_id: str, uploaded_at: datetime, status: int, error: str | None
    ) -> Media:
        def record(conn: sqlite3.Connection) -> Media:
            return media_rows.record_media_upload(conn, project_id, media_id, uploaded_at, status, error)

        return await self._on_writer(lambda c: self._transaction(c, record))

    async def media_in_trace(self, project_id: str, trace_id: str, media_id: str) -> bool:
        return await self._on_reader(lambda c: media_rows.media_in_trace(c, project_id, trace_id, media_id))

    # --- data policies and retention (store/sqlite/lifecycle.py) ---

    async def get_data_policy(self, project_id: str) -> DataPolicy:
        return await self._on_reader(lambda c: lifecycle.get_data_policy(c, project_id))

    async def set_data_policy(self, project_id: str, policy: DataPolicy) -> None:
        def store(conn: sqlite3.Connection) -> None:
            lifecycle.set_data_policy(conn, project_id, policy, datetime.now(UTC))

        await self._on_writer(lambda c: self._transaction(c, store))

    async def data_policies(self) -> dict[str, DataPolicy]:
        return await self._on_reader(lifecycle.data_policies)

    async def purge(self, project_id: str, before: datetime, limit: int) -> PurgeReport:
        def delete(conn: sqlite3.Connection) -> PurgeReport:
            return lifecycle.purge(conn, project_id, before, limit)

        return await self._on_writer(lambda c: self._transaction(c, delete))

    async def reclaim_space(self, full: bool = False) -> None:
        await self._on_writer(lambda c: lifecycle.reclaim_space(c, full))

    # --- model prices and cost roll-ups (store/sqlite/models.py, metrics.py) ---

    async def list_models(self, project_id: str, page: PageRequest) -> Page[ModelDefinition]:
        return await self._on_reader(lambda c: models.list_models(c, project_id, page))

    async def get_model(self, project_id: str, model_id: str) -> ModelDefinition:
        return await self._on_reader(lambda c: models.get_model(c, project_id, model_id))

    async def create_model(self, project_id: str, definition: ModelDefinition) -> ModelDefinition:
        def create(conn: sqlite3.Connection) -> ModelDefinition:
            self._prices.invalidate()
            return models.create_model(conn, project_id, definition)

        return await self._on_writer(lambda c: self._transaction(c, create))

    async def delete_model(self, project_id: str, model_id: str) -> None:
        def delete(conn: sqlite3.Connection) -> None:
            self._prices.invalidate()
            models.delete_model(conn, project_id, model_id)

        await self._on_writer(lambda c: self._transaction(c, delete))

    async def replace_model(self, project_id: str, model_id: str, definition: ModelDefinition) -> ModelDefinition:
        def replace(conn: sqlite3.Connection) -> ModelDefinition:
            self._prices.invalidate()
            models.delete_model(conn, project_id, model_id)
            return models.create_model(conn, project_id, definition)

        return await self._on_writer(lambda c: self._transaction(c, replace))

    async def daily_metrics(self, project_id: str, flt: TraceFilter, page: PageRequest) -> Page[DailyMetrics]:
        return await self._on_reader(lambda c: metrics.daily_metrics(c, project_id, flt, page))

    async def cost_rollups(
        self, project_id: str, group: CostGroup, flt: TraceFilter, limit: int = 100
    ) -> list[CostRollup]:
        return await self._on_reader(lambda c: metrics.cost_rollups(c, project_id, group, flt, limit))

    async def run_metrics(self, project_id: str, query: MetricsQuery) -> list[MetricsRow]:
        return await self._on_reader(lambda c: metrics.run_metrics(c, project_id, query))

    async def recompute_costs(
        self, since: datetime | None = None, model_pattern: str | None = None, dry_run: bool = False,
        *, until: datetime | None = None, project_id: str | None = None,
    ) -> RecomputeReport:  # fmt: skip
        def run(conn: sqlite3.Connection) -> RecomputeReport:
            self._prices.invalidate()  # another process may have changed the definitions
            return models.recompute_costs(conn, self._prices.get_all(conn), refresh_rollups, since=since, until=until,
                                          project_id=project_id, model_pattern=model_pattern,
                                          dry_run=dry_run)  # fmt: skip

        return await self._on_writer(lambda c: self._transaction(c, run))

    # --- writes ---

    async def write(self, events: Sequence[Event]) -> WriteStats:
        now = _micros_now()
        return await self._on_writer(
            lambda c: self._transaction(c, lambda t: write_events(t, events, now, self._prices))
        )

    async def create_project(self, name: str) -> Project:
        project = Project(id=uuid.uuid4().hex[:25], name=name, created_at=datetime.now(UTC))

        def insert(conn: sqlite3.Connection) -> None:
            try:
                conn.execute(
                    "INSERT INTO projects (id, name, created_at) VALUES (?, ?, ?)",
                    (project.id, project.name, _micros_now()),
                )
            except sqlite3.IntegrityError:
                raise Conflict(f"a project named {name!r} exists") from None

        await self._on_writer(insert)
        return project

    async def create_api_key(self, key: ApiKey) -> None:
        def insert(conn: sqlite3.Connection) -> None:
            try:
                conn.execute(
                    "INSERT INTO api_keys (id, project_id, public_key, secret_hash, display_secret, note, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        key.id,
                        key.project_id,
                        key.public_key,
                        key.secret_hash,
                        key.display_secret,
                        key.note,
                        _micros_now(),
                    ),
                )
            except sqlite3.IntegrityError:
                raise Conflict(f"the public key {key.public_key!r} exists") from None

        await self._on_writer(insert)

    async def revoke_api_key(self, public_key: str) -> None:
        def revoke(conn: sqlite3.Connection) -> None:
            cur = conn.execute(
                "UPDATE api_keys SET revoked_at = ? WHERE public_key = ? AND revoked_at IS NULL",
                (_micros_now(), public_key),
            )
            if cur.rowcount == 0:
                raise NotFound(f"no active API key {public_key!r}")

        await self._on_writer(revoke)

    # --- reads ---

    async def list_projects(self) -> list[Project]:
        rows = await self._on_reader(lambda c: c.execute("SELECT * FROM projects ORDER BY created_at").fetchall())
        return [project_from_row(r) for r in rows]

    async def get_project(self, project_id: str) -> Project:
        row = await self._on_reader(
            lambda c: c.execute("SELECT * FROM projects WHERE id = ?", (project_id,)).fetchone()
        )
        if row is None:
            raise NotFound(f"project {project_id!r} not found")
        return project_from_row(row)

    async def list_api_keys(self, project_id: str | None = None) -> list[ApiKey]:
        def fetch(conn: sqlite3.Connection) -> list[Any]:
            if project_id is None:
                return conn.execute("SELECT * FROM api_keys ORDER BY created_at").fetchall()
            return conn.execute(
                "SELECT * FROM api_keys WHERE project_id = ? ORDER BY created_at", (project_id,)
            ).fetchall()

        return [api_key_from_row(r) for r in await self._on_reader(fetch)]

    async def find_api_key(self, public_key: str) -> ApiKey | None:
        row = await self._on_reader(
            lambda c: c.execute("SELECT * FROM api_keys WHERE public_key = ?", (public_key,)).fetchone()
        )
        return api_key_from_row(row) if row is not None else None

    async def get_trace(self, project_id: str, trace_id: str) -> TraceDetail:
        return await self._on_reader(lambda c: queries.get_trace(c, project_id, trace_id))

    async def list_traces(self, project_id: str, flt: TraceFilter, page: PageRequest) -> Page[Trace]:
        return await self._on_reader(lambda c: queries.list_traces(c, project_id, flt, page))

    async def child_ids(self, project_id: str, trace_ids: Sequence[str]) -> dict[str, tuple[list[str], list[str]]]:
        return await self._on_reader(lambda c: queries.child_ids(c, project_id, trace_ids))

    async def get_observation(self, project_id: str, observation_id: str) -> Observation:
        return await self._on_reader(lambda c: queries.get_observation(c, project_id, observation_id))

    async def list_observations(self, project_id: str, flt: ObservationFilter, page: PageRequest) -> Page[Observation]:
        return await self._on_reader(lambda c: queries.list_observations(c, project_id, flt, page))

    async def get_score(self, project_id: str, score_id: str) -> Score:
        return await self._on_reader(lambda c: queries.get_score(c, project_id, score_id))

    async def list_scores(self, project_id: str, flt: ScoreFilter, page: PageRequest) -> Page[Score]:
        return await self._on_reader(lambda c: queries.list_scores(c, project_id, flt, page))

    async def get_session(self, project_id: str, session_id: str) -> SessionDetail:
        return await self._on_reader(lambda c: queries.get_session(c, project_id, session_id))

    async def list_sessions(self, project_id: str, flt: SessionFilter, page: PageRequest) -> Page[Session]:
        return await self._on_reader(lambda c: queries.list_sessions(c, project_id, flt, page))

    async def list_observations_v2(
        self, project_id: str, query: ObservationQuery, after: Keyset | None, limit: int
    ) -> CursorPage[TracedObservation]:
        return await self._on_reader(lambda c: list_observations_v2(c, project_id, query, after, limit))

    async def list_scores_v3(
        self, project_id: str, query: ScoreQuery, after: Keyset | None, limit: int
    ) -> CursorPage[Score]:
        return await self._on_reader(lambda c: list_scores_v3(c, project_id, query, after, limit))

    # --- prompts (SQL in store/sqlite/prompts.py; writes in one BEGIN IMMEDIATE transaction on the writer) ---

    async def create_prompt(self, project_id: str, new: NewPrompt) -> Prompt:
        return await self._on_writer(
            lambda c: self._transaction(c, lambda t: prompts.create_prompt(t, project_id, new, _micros_now()))
        )

    async def get_prompt(
        self, project_id: str, name: str, *, version: int | None = None, label: str | None = None
    ) -> Prompt:
        return await self._on_reader(lambda c: prompts.get_prompt(c, project_id, name, version=version, label=label))

    async def list_prompts(self, project_id: str, flt: PromptFilter, page: PageRequest) -> Page[PromptMeta]:
        return await self._on_reader(lambda c: prompts.list_prompts(c, project_id, flt, page))

    async def update_prompt_labels(
        self, project_id: str, name: str, version: int, add: Sequence[str], remove: Sequence[str] = ()
    ) -> Prompt:
        return await self._on_writer(
            lambda c: self._transaction(
                c, lambda t: prompts.update_labels(t, project_id, name, version, add, remove, _micros_now())
            )
        )

    async def delete_prompts(
        self, project_id: str, name: str, *, version: int | None = None, label: str | None = None
    ) -> int:
        return await self._on_writer(
            lambda c: self._transaction(
                c, lambda t: prompts.delete_prompts(t, project_id, name, version=version, label=label)
            )
        )

    async def prompt_usage(self, project_id: str, name: str, version: int) -> PromptUsage:
        return await self._on_reader(lambda c: prompts.prompt_usage(c, project_id, name, version))

    async def prompt_generation_counts(self, project_id: str, names: Sequence[str]) -> dict[tuple[str, int], int]:
        return await self._on_reader(lambda c: prompts.generation_counts(c, project_id, names))

    async def list_prompt_generations(
        self, project_id: str, name: str, version: int, page: PageRequest
    ) -> Page[PromptGeneration]:
        return await self._on_reader(lambda c: prompts.list_prompt_generations(c, project_id, name, version, page))

    # --- custom dashboards (SQL in store/sqlite/dashboards.py) ---

    async def list_dashboards(self, project_id: str) -> list[Dashboard]:
        return await self._on_reader(lambda c: dashboards.list_dashboards(c, project_id))

    async def get_dashboard(self, project_id: str, dashboard_id: str) -> Dashboard:
        return await self._on_reader(lambda c: dashboards.get_dashboard(c, project_id, dashboard_id))

    async def put_dashboard(self, dashboard: Dashboard) -> None:
        await self._on_writer(lambda c: self._transaction(c, lambda t: dashboards.put_dashboard(t, dashboard)))

    async def delete_dashboard(self, project_id: str, dashboard_id: str) -> None:
        await self._on_writer(
            lambda c: self._transaction(c, lambda t: dashboards.delete_dashboard(t, project_id, dashboard_id))
        )

    # --- accounts (SQL in store/sqlite/users.py) ---

    async def create_user(self, user: User) -> None:
        await self._on_writer(lambda c: users.create_user(c, user))

    async def count_users(self) -> int:
        return await self._on_reader(users.count_users)

    async def find_user(self, email: str) -> User | None:
        return await self._on_reader(lambda c: users.find_user(c, email))

    async def get_user(self, user_id: str) -> User:
        return await self._on_reader(lambda c: users.get_user(c, user_id))

    async def list_users(self) -> list[User]:
        return await self._on_reader(users.list_users)

    async def set_password(self, user_id: str, password_hash: str) -> None:
        await self._on_writer(lambda c: self._transaction(c, lambda t: users.set_password(t, user_id, password_hash)))

    async def set_membership(self, membership: Membership) -> None:
        await self._on_writer(lambda c: users.set_membership(c, membership))

    async def list_memberships(self, user_id: str) -> list[Membership]:
        return await self._on_reader(lambda c: users.list_memberships(c, user_id))

    async def create_web_session(self, token_hash: str, user_id: str, expires_at: datetime) -> None:
        await self._on_writer(lambda c: users.create_web_session(c, token_hash, user_id, expires_at))

    async def web_session_user(self, token_hash: str) -> User | None:
        return await self._on_reader(lambda c: users.web_session_user(c, token_hash))

    async def delete_web_session(self, token_hash: str) -> None:
        await self._on_writer(lambda c: users.delete_web_session(c, token_hash))

    async def web_secret(self) -> str:
        return await self._on_reader(users.web_secret)

    # --- UI lists (SQL in store/sqlite/ui_queries.py) ---

    async def list_trace_rows(
        self, project_id: str, query: TraceQuery, cursor: Cursor | None, limit: int
    ) -> RowPage[TraceRow]:
        return await self._on_reader(lambda c: ui_queries.list_trace_rows(c, project_id, query, cursor, limit))

    async def list_generation_rows(
        self, project_id: str, query: GenerationQuery, cursor: Cursor | None, limit: int
    ) -> RowPage[GenerationRow]:
        return await self._on_reader(lambda c: ui_queries.list_generation_rows(c, project_id, query, cursor, limit))

    async def list_recent_users(self, project_id: str, cursor: Cursor | None, limit: int) -> RowPage[UserSummary]:
        return await self._on_reader(lambda c: ui_queries.list_recent_users(c, project_id, cursor, limit))

    async def score_badges(self, project_id: str, trace_ids: Sequence[str]) -> dict[str, list[ScoreBadge]]:
        return await self._on_reader(lambda c: ui_queries.score_badges(c, project_id, trace_ids))

    async def score_distributions(
        self, project_id: str, name: str | None = None, source: str | None = None
    ) -> list[ScoreDistribution]:
        return await self._on_reader(lambda c: ui_queries.score_distributions(c, project_id, name, source))

    async def session_score_badges(self, project_id: str, session_ids: Sequence[str]) -> dict[str, list[ScoreBadge]]:
        return await self._on_reader(lambda c: ui_queries.session_score_badges(c, project_id, session_ids))

    async def list_recent_sessions(self, project_id: str, cursor: Cursor | None, limit: int) -> RowPage[Session]:
        return await self._on_reader(lambda c: ui_queries.list_recent_sessions(c, project_id, cursor, limit))


class _SqlRunner:
    """Runs store/evaluation.py's shared statements: reads on a reader, writes on the writer in a transaction."""

    def __init__(self, store: SqliteStore) -> None:
        self._store = store

    async def fetch(self, sql: str, params: Sequence[Any]) -> list[Row]:
        return await self._store._on_reader(lambda c: [dict(r) for r in c.execute(sql, params).fetchall()])

    async def execute(self, sql: str, params: Sequence[Any]) -> int:
        def run(conn: sqlite3.Connection) -> int:
            try:
                return conn.execute(sql, params).rowcount
            except sqlite3.IntegrityError as exc:
                raise Conflict(f"already exists: {exc}") from None

        return await self._store._on_writer(lambda c: self._store._transaction(c, run))


def _migrate(conn: sqlite3.Connection) -> list[str]:
    if conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0:
        # A new file: deletes (retention) can give pages back to the disk with PRAGMA incremental_vacuum. The WAL
        # switch already wrote the header, so the setting takes a VACUUM (instant on an empty file).
        conn.execute("PRAGMA auto_vacuum=INCREMENTAL")
        conn.execute("VACUUM")
    conn.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)")
    done = {row[0] for row in conn.execute("SELECT name FROM _migrations")}
    folder = resources.files("spyglass.store.sqlite") / "migrations"
    applied: list[str] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".sql") or entry.name in done:
            continue
        script = entry.read_text(encoding="utf-8")
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(script):
                conn.execute(statement)
            conn.execute("INSERT INTO _migrations (name, applied_at) VALUES (?, ?)", (entry.name, _micros_now()))
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        applied.append(entry.name)
    return applied


def _statements(script: str) -> list[str]:
    """Split a migration into statements; sqlite3.complete_statement keeps a trigger's BEGIN ... END whole."""
    lines = [line for line in script.splitlines() if not line.strip().startswith("--")]
    statements: list[str] = []
    buffer = ""
    for piece in "\n".join(lines).split(";"):
        buffer += piece + ";"
        if sqlite3.complete_statement(buffer):
            if buffer.strip(" \n;"):
                statements.append(buffer.strip().rstrip(";"))
            buffer = ""
    if buffer.strip(" \n;"):
        statements.append(buffer.strip().rstrip(";"))
    return statements
