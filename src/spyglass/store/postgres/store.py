"""PostgresStore: the server backend that several `spyglass serve` replicas may share.

An async psycopg pool on a loop of its own (one background thread), so the store works from any event loop: the
CLI's short `asyncio.run` calls and the server's loop alike. Every write is one transaction that locks what it
folds (see writes.py) and is run again on a deadlock, serialization failure or create race.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from datetime import UTC, datetime
from importlib import resources
from typing import Any, TypeVar, cast
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import orjson
import psycopg
from psycopg import AsyncConnection, errors
from psycopg.rows import DictRow, dict_row
from psycopg.types.json import set_json_loads
from psycopg_pool import AsyncConnectionPool

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
from spyglass.domain.merge import Record
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
    NotSupported,
    ObservationFilter,
    Page,
    PageRequest,
    ScoreFilter,
    SessionFilter,
    Store,
    TraceFilter,
    Unavailable,
    WriteStats,
)
from spyglass.store.evaluation import EvaluationTables, Row
from spyglass.store.postgres import (
    accounts,
    dashboards,
    lifecycle,
    metrics,
    models,
    prompts,
    queries,
    queries_v2,
    transfer,
    ui_queries,
)
from spyglass.store.postgres import media as media_rows
from spyglass.store.postgres.datasets import postgres_datasets
from spyglass.store.postgres.rows import api_key_from_row, project_from_row
from spyglass.store.postgres.writes import CreateRace, write_events
from spyglass.store.transfer import KINDS, paged

R = TypeVar("R")
Conn = AsyncConnection[DictRow]

log = logging.getLogger("spyglass.store.postgres")

# pg_advisory_lock key held while migrating, so replicas starting together apply each migration once.
_MIGRATION_LOCK = 0x5350_5947_4C41_5353 & 0x7FFF_FFFF_FFFF_FFFF
_RETRIES = 20
_STORE_METHODS = frozenset(name for name in dir(Store) if not name.startswith("_"))


class StoreUnavailable(Unavailable):
    """The database cannot be reached; the message says why (libpq's words)."""


def _micros_now() -> int:
    now = datetime.now(UTC)
    return int(now.timestamp()) * 1_000_000 + now.microsecond


async def _configure(conn: Conn) -> None:
    # Times come back as UTC datetimes, which the domain and the wire format expect.
    await conn.execute("SET TIME ZONE 'UTC'")
    set_json_loads(orjson.loads, conn)


class _SqlRunner:
    """Runs store/evaluation.py's shared statements (written with `?`, which psycopg spells `%s`)."""

    def __init__(self, store: PostgresStore) -> None:
        self._store = store

    async def fetch(self, sql: str, params: Sequence[Any]) -> list[Row]:
        async def run(conn: Conn) -> list[Row]:
            cur = await conn.execute(sql.replace("?", "%s"), params)
            return list(await cur.fetchall())

        return await self._store._read(run)

    async def execute(self, sql: str, params: Sequence[Any]) -> int:
        async def run(conn: Conn) -> int:
            try:
                cur = await conn.execute(sql.replace("?", "%s"), params)
            except psycopg.errors.UniqueViolation as exc:
                raise Conflict(f"already exists: {exc.diag.message_detail or exc}") from None
            return cur.rowcount

        return await self._store._transact(run)


class PostgresStore:
    """See store/base.py for the contract of every method."""

    def __init__(self, conninfo: str, *, min_size: int = 1, max_size: int = 10) -> None:
        self._conninfo = conninfo
        self._min_size = min_size
        self._max_size = max_size
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="spyglass-postgres", daemon=True)
        self._thread.start()
        self._pool: AsyncConnectionPool[Conn] | None = None
        self._closed = False
        self._prices = models.PriceCache()  # this replica's model price definitions; see models.py
        self.datasets = postgres_datasets(self._read, self._transact)
        self._evaluation = EvaluationTables(_SqlRunner(self))

    @property
    def evaluation(self) -> EvaluationTables:
        return self._evaluation

    def __getattr__(self, name: str) -> Any:
        # A Store method of a feature this backend does not have yet answers NotSupported (501), not AttributeError.
        if name.startswith("_") or name not in _STORE_METHODS:
            raise AttributeError(name)

        async def unsupported(*args: Any, **kwargs: Any) -> Any:
            raise NotSupported(f"the PostgreSQL store does not support {name} yet; use the SQLite store for it")

        return unsupported

    # --- plumbing ---

    async def _run(self, coro: Coroutine[Any, Any, R]) -> R:
        """Run `coro` on the store's own loop and wait for it from the caller's loop."""
        if self._closed:
            coro.close()
            raise RuntimeError("the store is closed")
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, self._loop))

    async def _get_pool(self) -> AsyncConnectionPool[Conn]:
        if self._pool is None:
            try:
                # One plain connection first: a wrong URL or a server that is down fails at once, with libpq's reason,
                # instead of after the pool's 30 s of retries.
                probe = await AsyncConnection.connect(self._conninfo, connect_timeout=10)
            except psycopg.OperationalError as exc:
                raise StoreUnavailable(f"cannot connect to PostgreSQL: {str(exc).strip()}") from None
            await probe.close()
            pool: AsyncConnectionPool[Conn] = AsyncConnectionPool(
                self._conninfo, min_size=self._min_size, max_size=self._max_size, open=False,
                kwargs={"autocommit": True, "row_factory": dict_row}, configure=_configure,
                name="spyglass", timeout=10,  # waiting longer for a connection: answer 503 and let the client retry
            )  # fmt: skip
            await pool.open(wait=True, timeout=30)
            self._pool = pool
        return self._pool

    async def _read(self, fn: Callable[[Conn], Awaitable[R]]) -> R:
        async def go() -> R:
            try:
                async with (await self._get_pool()).connection() as conn:
                    return await fn(conn)
            except psycopg.OperationalError as exc:  # connection lost, server restarting, pool timeout
                raise StoreUnavailable(str(exc).strip()) from exc

        return await self._run(go())

    async def _transact(self, fn: Callable[[Conn], Awaitable[R]]) -> R:
        """Run `fn` in one transaction, again from the start after a deadlock, serialization failure or race."""

        async def attempts() -> R:
            pool = await self._get_pool()
            for attempt in range(_RETRIES):
                try:
                    async with pool.connection() as conn, conn.transaction():
                        return await fn(conn)
                except (CreateRace, errors.DeadlockDetected, errors.SerializationFailure) as exc:
                    if attempt == _RETRIES - 1:
                        raise
                    log.debug("write retried (%s): %s", type(exc).__name__, exc)
                    await asyncio.sleep(random.uniform(0, 0.005 * (attempt + 1)))
            raise AssertionError("unreachable")

        async def go() -> R:
            try:
                return await attempts()
            except psycopg.OperationalError as exc:  # connection lost, server restarting, pool timeout
                raise StoreUnavailable(str(exc).strip()) from exc

        return await self._run(go())

    # --- lifecycle ---

    async def migrate(self) -> list[str]:
        return await self._run(self._migrate())

    async def _migrate(self) -> list[str]:
        pool = await self._get_pool()
        folder = resources.files("spyglass.store.postgres") / "migrations"
        scripts = sorted((e for e in folder.iterdir() if e.name.endswith(".sql")), key=lambda e: e.name)
        applied: list[str] = []
        async with pool.connection() as conn:
            await conn.execute("SELECT pg_advisory_lock(%s)", (_MIGRATION_LOCK,))
            try:
                await conn.execute(
                    "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)"
                )
                cur = await conn.execute("SELECT name FROM _migrations")
                done = {row["name"] for row in await cur.fetchall()}
                for entry in scripts:
                    if entry.name in done:
                        continue
                    async with conn.transaction():
                        # No parameters: psycopg sends the whole script in one simple-protocol query.
                        await conn.execute(entry.read_text(encoding="utf-8").encode())
                        await conn.execute(
                            "INSERT INTO _migrations (name, applied_at) VALUES (%s, now())", (entry.name,)
                        )
                    applied.append(entry.name)
            finally:
                await conn.execute("SELECT pg_advisory_unlock(%s)", (_MIGRATION_LOCK,))
        return applied

    async def close(self) -> None:
        if self._closed:
            return

        async def shut() -> None:
            if self._pool is not None:
                await self._pool.close()
                self._pool = None
            # Whatever the pool left running (a connection still being added) ends here, not with the loop.
            current = asyncio.current_task()
            rest = [task for task in asyncio.all_tasks() if task is not current]
            for task in rest:
                task.cancel()
            await asyncio.gather(*rest, return_exceptions=True)

        await self._run(shut())
        self._closed = True
        self._loop.call_soon_threadsafe(self._loop.stop)
        await asyncio.get_running_loop().run_in_executor(None, self._thread.join)
        self._loop.close()

    async def integrity_check(self) -> str:
        async def check(conn: Conn) -> str:
            cur = await conn.execute(
                "SELECT count(*) AS orphans FROM observations o"
                " WHERE NOT EXISTS (SELECT 1 FROM traces t WHERE t.project_id = o.project_id AND t.id = o.trace_id)"
            )
            row = await cur.fetchone()
            orphans = int(row["orphans"]) if row else 0
            return "ok" if orphans == 0 else f"{orphans} observations without their trace"

        return await self._read(check)

    # --- writes ---

    async def write(self, events: Sequence[Event]) -> WriteStats:
        now = _micros_now()
        return await self._transact(lambda conn: write_events(conn, events, now, self._prices))

    async def create_project(self, name: str) -> Project:
        project = Project(id=uuid.uuid4().hex[:25], name=name, created_at=datetime.now(UTC))

        async def insert(conn: Conn) -> None:
            try:
                await conn.execute(
                    "INSERT INTO projects (id, name, created_at) VALUES (%s, %s, %s)",
                    (project.id, project.name, project.created_at),
                )
            except psycopg.errors.UniqueViolation:
                raise Conflict(f"a project named {name!r} exists") from None

        await self._read(insert)
        return project

    async def create_api_key(self, key: ApiKey) -> None:
        async def insert(conn: Conn) -> None:
            try:
                await conn.execute(
                    "INSERT INTO api_keys (id, project_id, public_key, secret_hash, display_secret, note, created_at)"
                    " VALUES (%s, %s, %s, %s, %s, %s, now())",
                    (key.id, key.project_id, key.public_key, key.secret_hash, key.display_secret, key.note),
                )
            except psycopg.errors.UniqueViolation:
                raise Conflict(f"the public key {key.public_key!r} exists") from None
            except psycopg.errors.ForeignKeyViolation:
                raise NotFound(f"project {key.project_id!r} not found") from None

        await self._read(insert)

    async def revoke_api_key(self, public_key: str) -> None:
        async def revoke(conn: Conn) -> None:
            cur = await conn.execute(
                "UPDATE api_keys SET revoked_at = now() WHERE public_key = %s AND revoked_at IS NULL", (public_key,)
            )
            if cur.rowcount == 0:
                raise NotFound(f"no active API key {public_key!r}")

        await self._read(revoke)

    # --- reads ---

    async def list_projects(self) -> list[Project]:
        async def fetch(conn: Conn) -> list[Project]:
            cur = await conn.execute("SELECT * FROM projects ORDER BY created_at, id")
            return [project_from_row(r) for r in await cur.fetchall()]

        return await self._read(fetch)

    async def get_project(self, project_id: str) -> Project:
        async def fetch(conn: Conn) -> Project:
            cur = await conn.execute("SELECT * FROM projects WHERE id = %s", (project_id,))
            row = await cur.fetchone()
            if row is None:
                raise NotFound(f"project {project_id!r} not found")
            return project_from_row(row)

        return await self._read(fetch)

    async def list_api_keys(self, project_id: str | None = None) -> list[ApiKey]:
        async def fetch(conn: Conn) -> list[ApiKey]:
            if project_id is None:
                cur = await conn.execute("SELECT * FROM api_keys ORDER BY created_at, id")
            else:
                cur = await conn.execute(
                    "SELECT * FROM api_keys WHERE project_id = %s ORDER BY created_at, id", (project_id,)
                )
            return [api_key_from_row(r) for r in await cur.fetchall()]

        return await self._read(fetch)

    async def find_api_key(self, public_key: str) -> ApiKey | None:
        async def fetch(conn: Conn) -> ApiKey | None:
            cur = await conn.execute("SELECT * FROM api_keys WHERE public_key = %s", (public_key,))
            row = await cur.fetchone()
            return api_key_from_row(row) if row is not None else None

        return await self._read(fetch)

    async def get_trace(self, project_id: str, trace_id: str) -> TraceDetail:
        return await self._read(lambda c: queries.get_trace(c, project_id, trace_id))

    async def list_traces(self, project_id: str, flt: TraceFilter, page: PageRequest) -> Page[Trace]:
        return await self._read(lambda c: queries.list_traces(c, project_id, flt, page))

    async def child_ids(self, project_id: str, trace_ids: Sequence[str]) -> dict[str, tuple[list[str], list[str]]]:
        return await self._read(lambda c: queries.child_ids(c, project_id, trace_ids))

    async def get_observation(self, project_id: str, observation_id: str) -> Observation:
        return await self._read(lambda c: queries.get_observation(c, project_id, observation_id))

    async def list_observations(self, project_id: str, flt: ObservationFilter, page: PageRequest) -> Page[Observation]:
        return await self._read(lambda c: queries.list_observations(c, project_id, flt, page))

    async def list_observations_v2(
        self, project_id: str, query: ObservationQuery, after: Keyset | None, limit: int
    ) -> CursorPage[TracedObservation]:
        return await self._read(lambda c: queries_v2.list_observations_v2(c, project_id, query, after, limit))

    async def list_scores_v3(
        self, project_id: str, query: ScoreQuery, after: Keyset | None, limit: int
    ) -> CursorPage[Score]:
        return await self._read(lambda c: queries_v2.list_scores_v3(c, project_id, query, after, limit))

    async def get_score(self, project_id: str, score_id: str) -> Score:
        return await self._read(lambda c: queries.get_score(c, project_id, score_id))

    async def list_scores(self, project_id: str, flt: ScoreFilter, page: PageRequest) -> Page[Score]:
        return await self._read(lambda c: queries.list_scores(c, project_id, flt, page))

    async def get_session(self, project_id: str, session_id: str) -> SessionDetail:
        return await self._read(lambda c: queries.get_session(c, project_id, session_id))

    async def list_sessions(self, project_id: str, flt: SessionFilter, page: PageRequest) -> Page[Session]:
        return await self._read(lambda c: queries.list_sessions(c, project_id, flt, page))

    # --- prompts (SQL in prompts.py; each write is one transaction under the prompt's advisory lock) ---

    async def create_prompt(self, project_id: str, new: NewPrompt) -> Prompt:
        return await self._transact(lambda c: prompts.create_prompt(c, project_id, new, datetime.now(UTC)))

    async def get_prompt(
        self, project_id: str, name: str, *, version: int | None = None, label: str | None = None
    ) -> Prompt:
        return await self._read(lambda c: prompts.get_prompt(c, project_id, name, version=version, label=label))

    async def list_prompts(self, project_id: str, flt: PromptFilter, page: PageRequest) -> Page[PromptMeta]:
        return await self._read(lambda c: prompts.list_prompts(c, project_id, flt, page))

    async def update_prompt_labels(
        self, project_id: str, name: str, version: int, add: Sequence[str], remove: Sequence[str] = ()
    ) -> Prompt:
        now = datetime.now(UTC)
        return await self._transact(lambda c: prompts.update_labels(c, project_id, name, version, add, remove, now))

    async def delete_prompts(
        self, project_id: str, name: str, *, version: int | None = None, label: str | None = None
    ) -> int:
        return await self._transact(lambda c: prompts.delete_prompts(c, project_id, name, version=version, label=label))

    async def prompt_usage(self, project_id: str, name: str, version: int) -> PromptUsage:
        return await self._read(lambda c: prompts.prompt_usage(c, project_id, name, version))

    async def prompt_generation_counts(self, project_id: str, names: Sequence[str]) -> dict[tuple[str, int], int]:
        return await self._read(lambda c: prompts.generation_counts(c, project_id, names))

    async def list_prompt_generations(
        self, project_id: str, name: str, version: int, page: PageRequest
    ) -> Page[PromptGeneration]:
        return await self._read(lambda c: prompts.list_prompt_generations(c, project_id, name, version, page))

    # --- model prices and cost roll-ups (models.py, metrics.py) ---

    async def list_models(self, project_id: str, page: PageRequest) -> Page[ModelDefinition]:
        return await self._read(lambda c: models.list_models(c, project_id, page))

    async def get_model(self, project_id: str, model_id: str) -> ModelDefinition:
        return await self._read(lambda c: models.get_model(c, project_id, model_id))

    async def create_model(self, project_id: str, definition: ModelDefinition) -> ModelDefinition:
        return await self._transact(lambda c: models.create_model(c, project_id, definition))

    async def delete_model(self, project_id: str, model_id: str) -> None:
        await self._transact(lambda c: models.delete_model(c, project_id, model_id))

    async def replace_model(self, project_id: str, model_id: str, definition: ModelDefinition) -> ModelDefinition:
        async def replace(conn: Conn) -> ModelDefinition:
            await models.delete_model(conn, project_id, model_id)
            return await models.create_model(conn, project_id, definition)

        return await self._transact(replace)

    async def daily_metrics(self, project_id: str, flt: TraceFilter, page: PageRequest) -> Page[DailyMetrics]:
        return await self._read(lambda c: metrics.daily_metrics(c, project_id, flt, page))

    async def cost_rollups(
        self, project_id: str, group: CostGroup, flt: TraceFilter, limit: int = 100
    ) -> list[CostRollup]:
        return await self._read(lambda c: metrics.cost_rollups(c, project_id, group, flt, limit))

    async def run_metrics(self, project_id: str, query: MetricsQuery) -> list[MetricsRow]:
        return await self._read(lambda c: metrics.run_metrics(c, project_id, query))

    async def recompute_costs(
        self, since: datetime | None = None, model_pattern: str | None = None, dry_run: bool = False,
        *, until: datetime | None = None, project_id: str | None = None,
    ) -> RecomputeReport:  # fmt: skip
        async def run(conn: Conn) -> RecomputeReport:
            book = await self._prices.get_all(conn)
            return await models.recompute_costs(conn, book, since=since, until=until, project_id=project_id,
                                                model_pattern=model_pattern, dry_run=dry_run)  # fmt: skip

        return await self._transact(run)

    # --- UI lists (SQL in ui_queries.py) ---

    async def list_trace_rows(
        self, project_id: str, query: TraceQuery, cursor: Cursor | None, limit: int
    ) -> RowPage[TraceRow]:
        return await self._read(lambda c: ui_queries.list_trace_rows(c, project_id, query, cursor, limit))

    async def list_generation_rows(
        self, project_id: str, query: GenerationQuery, cursor: Cursor | None, limit: int
    ) -> RowPage[GenerationRow]:
        return await self._read(lambda c: ui_queries.list_generation_rows(c, project_id, query, cursor, limit))

    async def score_badges(self, project_id: str, trace_ids: Sequence[str]) -> dict[str, list[ScoreBadge]]:
        return await self._read(lambda c: ui_queries.score_badges(c, project_id, trace_ids))

    async def score_distributions(
        self, project_id: str, name: str | None = None, source: str | None = None
    ) -> list[ScoreDistribution]:
        return await self._read(lambda c: ui_queries.score_distributions(c, project_id, name, source))

    async def session_score_badges(self, project_id: str, session_ids: Sequence[str]) -> dict[str, list[ScoreBadge]]:
        return await self._read(lambda c: ui_queries.session_score_badges(c, project_id, session_ids))

    async def list_recent_sessions(self, project_id: str, cursor: Cursor | None, limit: int) -> RowPage[Session]:
        return await self._read(lambda c: ui_queries.list_recent_sessions(c, project_id, cursor, limit))

    async def list_recent_users(self, project_id: str, cursor: Cursor | None, limit: int) -> RowPage[UserSummary]:
        return await self._read(lambda c: ui_queries.list_recent_users(c, project_id, cursor, limit))

    # --- record transfer for export/import (store/transfer.py; SQL in postgres/transfer.py) ---

    def dump_records(self, project_id: str, kind: str, batch: int = 500) -> AsyncIterator[list[Record]]:
        table = _table(kind)
        return paged(lambda after: self._read(lambda c: transfer.dump_page(c, project_id, table, after, batch)))

    async def load_records(self, project_id: str, kind: str, records: Sequence[Record]) -> int:
        table = _table(kind)
        return await self._transact(lambda c: transfer.load(c, project_id, table, records))

    async def load_project(self, project: Project) -> Project:
        return await self._transact(lambda c: transfer.load_project(c, project))

    # --- custom dashboards (SQL in store/postgres/dashboards.py) ---

    async def list_dashboards(self, project_id: str) -> list[Dashboard]:
        return await self._read(lambda c: dashboards.list_dashboards(c, project_id))

    async def get_dashboard(self, project_id: str, dashboard_id: str) -> Dashboard:
        return await self._read(lambda c: dashboards.get_dashboard(c, project_id, dashboard_id))

    async def put_dashboard(self, dashboard: Dashboard) -> None:
        await self._transact(lambda c: dashboards.put_dashboard(c, dashboard))

    async def delete_dashboard(self, project_id: str, dashboard_id: str) -> None:
        await self._transact(lambda c: dashboards.delete_dashboard(c, project_id, dashboard_id))

    # --- accounts (SQL in accounts.py) ---

    async def create_user(self, user: User) -> None:
        await self._read(lambda c: accounts.create_user(c, user))

    async def count_users(self) -> int:
        return await self._read(accounts.count_users)

    async def find_user(self, email: str) -> User | None:
        return await self._read(lambda c: accounts.find_user(c, email))

    async def get_user(self, user_id: str) -> User:
        return await self._read(lambda c: accounts.get_user(c, user_id))

    async def list_users(self) -> list[User]:
        return await self._read(accounts.list_users)

    async def set_password(self, user_id: str, password_hash: str) -> None:
        await self._read(lambda c: accounts.set_password(c, user_id, password_hash))

    async def set_membership(self, membership: Membership) -> None:
        await self._read(lambda c: accounts.set_membership(c, membership))

    async def list_memberships(self, user_id: str) -> list[Membership]:
        return await self._read(lambda c: accounts.list_memberships(c, user_id))

    async def create_web_session(self, token_hash: str, user_id: str, expires_at: datetime) -> None:
        await self._read(lambda c: accounts.create_web_session(c, token_hash, user_id, expires_at))

    async def web_session_user(self, token_hash: str) -> User | None:
        return await self._read(lambda c: accounts.web_session_user(c, token_hash))

    async def delete_web_session(self, token_hash: str) -> None:
        await self._read(lambda c: accounts.delete_web_session(c, token_hash))

    async def web_secret(self) -> str:
        return await self._read(accounts.web_secret)

    async def contents(self, project_id: str, table: str, ids: Sequence[str]) -> dict[str, Content]:
        return await self._read(lambda c: queries.contents(c, project_id, table, ids))

    # --- data policies and retention (store/postgres/lifecycle.py) ---

    async def get_data_policy(self, project_id: str) -> DataPolicy:
        return await self._read(lambda c: lifecycle.get_data_policy(c, project_id))

    async def set_data_policy(self, project_id: str, policy: DataPolicy) -> None:
        await self._transact(lambda c: lifecycle.set_data_policy(c, project_id, policy, datetime.now(UTC)))

    async def data_policies(self) -> dict[str, DataPolicy]:
        return await self._read(lifecycle.data_policies)

    async def purge(self, project_id: str, before: datetime, limit: int) -> PurgeReport:
        return await self._transact(lambda c: lifecycle.purge(c, project_id, before, limit))

    async def reclaim_space(self, full: bool = False) -> None:
        """Autovacuum makes freed space reusable; a full VACUUM is a DBA's decision (docs/retention.md)."""

    # --- media (store/postgres/media.py) ---

    async def register_media(self, media: Media, link: MediaLink | None) -> Media:
        return await self._transact(lambda c: media_rows.register_media(c, media, link))

    async def get_media(self, project_id: str, media_id: str) -> Media:
        return await self._read(lambda c: media_rows.get_media(c, project_id, media_id))

    async def record_media_upload(
        self, project_id: str, media_id: str, uploaded_at: datetime, status: int, error: str | None
    ) -> Media:
        return await self._transact(
            lambda c: media_rows.record_media_upload(c, project_id, media_id, uploaded_at, status, error)
        )

    async def media_in_trace(self, project_id: str, trace_id: str, media_id: str) -> bool:
        return await self._read(lambda c: media_rows.media_in_trace(c, project_id, trace_id, media_id))


def _table(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    return kind


def open_postgres(url: str) -> Store:
    """A store on `postgresql://...`; the optional `pool_size` query parameter caps the connections (default 10)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    size = [v for k, v in query if k == "pool_size"]
    rest = urlencode([(k, v) for k, v in query if k != "pool_size"])
    try:
        max_size = int(size[-1]) if size else 10
    except ValueError:
        raise ValueError(f"pool_size must be an integer, got {size[-1]!r}") from None
    store = PostgresStore(urlunsplit(parts._replace(query=rest)), max_size=max(1, max_size))
    # Methods other features add to the Store protocol before this backend has them resolve via __getattr__.
    return cast(Store, store)
