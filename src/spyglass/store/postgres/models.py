"""Model price definitions in the PostgreSQL backend, each replica's cached PriceBook, and re-pricing.

Project definitions live in the `models` table; built-in ones come from domain/model_prices.json. Several replicas
share the table, so the cache is checked against a fingerprint of the table (row count and newest creation time)
inside every write transaction: a definition created or deleted through any replica prices the next write.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import orjson
from psycopg import AsyncConnection
from psycopg.rows import DictRow

from spyglass.domain.costs import RecomputeReport
from spyglass.domain.merge import Record
from spyglass.domain.pricing import (
    ModelDefinition,
    PriceBook,
    builtin_models,
    builtin_sorted,
    compile_pattern,
    price_record,
    tiers_from_json,
    tiers_to_json,
)
from spyglass.domain.usage import token_totals
from spyglass.store.base import Conflict, NotFound, Page, PageRequest
from spyglass.store.postgres.rows import Row, jsonb, record_from_row

Conn = AsyncConnection[DictRow]
_BATCH = 1000


class PriceCache:
    """A replica's PriceBook: the built-ins plus the definitions of each project it writes for. A project's
    definitions are reloaded when they changed (in this process or another); only the writing projects' are read."""

    def __init__(self) -> None:
        self._book = PriceBook(builtin_models())
        self._fingerprints: dict[str, tuple[Any, ...]] = {}

    async def get(self, conn: Conn, project_ids: Iterable[str]) -> PriceBook:
        """A book that prices the generations of `project_ids`, current with the stored definitions."""
        wanted = sorted(set(project_ids))
        cur = await conn.execute(
            "SELECT project_id, count(*) AS n, max(created_at) AS newest FROM models WHERE project_id = ANY(%s)"
            " GROUP BY project_id",
            (wanted,),
        )
        now = {r["project_id"]: (r["n"], r["newest"]) for r in await cur.fetchall()}
        stale = [p for p in wanted if p in self._book.missing([p]) or self._fingerprints.get(p) != now.get(p, (0,))]
        if stale:
            cur = await conn.execute("SELECT * FROM models WHERE project_id = ANY(%s)", (stale,))
            rows = await cur.fetchall()
            for project_id in stale:
                self._book.load(project_id, [model_from_row(r) for r in rows if r["project_id"] == project_id])
                self._fingerprints[project_id] = now.get(project_id, (0,))
        return self._book

    async def get_all(self, conn: Conn) -> PriceBook:
        """A book for every project (re-pricing the whole store)."""
        cur = await conn.execute("SELECT DISTINCT project_id FROM models")
        # The projects loaded before count too: their definitions may all have been deleted since.
        return await self.get(conn, [*(r["project_id"] for r in await cur.fetchall()), *self._fingerprints])


def model_from_row(row: Row) -> ModelDefinition:
    config = row["tokenizer_config"]
    return ModelDefinition(
        id=row["id"], model_name=row["model_name"], match_pattern=row["match_pattern"],
        prices=orjson.loads(row["prices"]), start_date=row["start_date"], unit=row["unit"],
        tokenizer_id=row["tokenizer_id"], tokenizer_config=orjson.loads(config) if config is not None else None,
        project_id=row["project_id"], created_at=row["created_at"], tiers=tiers_from_json(row["pricing_tiers"]),
    )  # fmt: skip


async def create_model(conn: Conn, project_id: str, definition: ModelDefinition) -> ModelDefinition:
    """Insert a project definition (a new id and creation time are assigned)."""
    created = replace(
        definition, id=uuid.uuid4().hex[:25], project_id=project_id, created_at=datetime.now(UTC), _regex=None
    )
    await conn.execute(
        "INSERT INTO models (id, project_id, model_name, match_pattern, start_date, unit, prices, pricing_tiers,"
        " tokenizer_id, tokenizer_config, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (
            created.id, project_id, created.model_name, created.match_pattern, created.start_date, created.unit,
            orjson.dumps(dict(created.prices)).decode(), tiers_to_json(created.tiers), created.tokenizer_id,
            orjson.dumps(created.tokenizer_config).decode() if created.tokenizer_config is not None else None,
            created.created_at,
        ),
    )  # fmt: skip
    return created


async def delete_model(conn: Conn, project_id: str, model_id: str) -> None:
    """Raises Conflict for a built-in definition, NotFound for an unknown id."""
    if any(d.id == model_id for d in builtin_models()):
        raise Conflict(
            f"model {model_id!r} is a built-in definition and cannot be deleted; create a project definition with"
            " the same matchPattern to override its price"
        )
    cur = await conn.execute("DELETE FROM models WHERE project_id = %s AND id = %s", (project_id, model_id))
    if cur.rowcount == 0:
        raise NotFound(f"model {model_id!r} not found")


async def get_model(conn: Conn, project_id: str, model_id: str) -> ModelDefinition:
    for definition in builtin_models():
        if definition.id == model_id:
            return definition
    cur = await conn.execute("SELECT * FROM models WHERE project_id = %s AND id = %s", (project_id, model_id))
    row = await cur.fetchone()
    if row is None:
        raise NotFound(f"model {model_id!r} not found")
    return model_from_row(row)


async def list_models(conn: Conn, project_id: str, page: PageRequest) -> Page[ModelDefinition]:
    """The project's own definitions (newest first), then the built-in ones by name."""
    cur = await conn.execute("SELECT * FROM models WHERE project_id = %s", (project_id,))
    everything = builtin_sorted([*(model_from_row(r) for r in await cur.fetchall()), *builtin_models()])
    items = everything[page.offset : page.offset + page.limit]
    return Page(items=tuple(items), total=len(everything), page=page.page, limit=page.limit)


def price_observations(records: Iterable[Record], book: PriceBook) -> None:
    """The write path's hook: price every folded observation record in place (see domain/pricing.price_record)."""
    for record in records:
        price_record(record, book)


_OBSERVATION_FIELDS = (
    "project_id, id, trace_id, type, model, start_time, input, output, usage_details, cost_details, total_cost,"
    " field_ts"
)

_ROLLUP = """
UPDATE traces t SET (observation_count, start_time, end_time, total_cost, input_tokens, output_tokens,
                     total_tokens, level_rank) = (
    SELECT count(*), min(o.start_time), max(coalesce(o.end_time, o.start_time)), coalesce(sum(o.total_cost), 0),
           coalesce(sum(o.input_tokens), 0), coalesce(sum(o.output_tokens), 0), coalesce(sum(o.total_tokens), 0),
           coalesce(max(CASE o.level WHEN 'DEBUG' THEN 0 WHEN 'WARNING' THEN 2 WHEN 'ERROR' THEN 3 ELSE 1 END), 1)
    FROM observations o WHERE o.project_id = t.project_id AND o.trace_id = t.id)
FROM unnest(%s::text[], %s::text[]) AS k(project_id, id)
WHERE t.project_id = k.project_id AND t.id = k.id
"""


async def recompute_costs(
    conn: Conn, book: PriceBook, *, since: datetime | None = None, until: datetime | None = None,
    project_id: str | None = None, model_pattern: str | None = None, dry_run: bool = False,
) -> RecomputeReport:  # fmt: skip
    """Re-price every stored observation with a model (see Store.recompute_costs), inside the caller's transaction."""
    pattern = compile_pattern(model_pattern, "--model") if model_pattern else None
    sql = f"SELECT {_OBSERVATION_FIELDS} FROM observations WHERE model IS NOT NULL"
    params: list[Any] = []
    if since is not None:
        sql += " AND start_time >= %s"
        params.append(since if since.tzinfo else since.replace(tzinfo=UTC))
    if until is not None:
        sql += " AND start_time < %s"
        params.append(until if until.tzinfo else until.replace(tzinfo=UTC))
    if project_id is not None:
        sql += " AND project_id = %s"
        params.append(project_id)
    examined = changed = 0
    before = after = 0.0
    updates: list[tuple[Any, ...]] = []
    traces: set[tuple[str, str]] = set()
    async with conn.cursor() as cursor:
        await cursor.execute(sql + " ORDER BY project_id, id FOR UPDATE", params)
        while rows := await cursor.fetchmany(_BATCH):
            for row in rows:
                if pattern is not None and not pattern.search(row["model"]):
                    continue
                examined += 1
                record = record_from_row(row)
                old_usage, old_costs = record.get("usage_details") or {}, record.get("cost_details") or {}
                price_record(record, book)
                new_usage, new_costs = record.get("usage_details") or {}, record.get("cost_details") or {}
                if new_costs == old_costs and new_usage == old_usage:
                    continue
                changed += 1
                before += float(old_costs.get("total") or 0.0)
                after += float(new_costs.get("total") or 0.0)
                updates.append(_update_params(record))
                traces.add((row["project_id"], row["trace_id"]))
    if updates and not dry_run:
        async with conn.cursor() as cursor:
            await cursor.executemany(
                "UPDATE observations SET usage_details = %s::jsonb, cost_details = %s::jsonb, total_cost = %s,"
                " input_tokens = %s, output_tokens = %s, total_tokens = %s WHERE project_id = %s AND id = %s",
                updates,
            )
        keys = sorted(traces)
        await conn.execute(_ROLLUP, ([k[0] for k in keys], [k[1] for k in keys]))
    return RecomputeReport(examined, changed, before, after, len(traces), dry_run)


def _update_params(record: Record) -> tuple[Any, ...]:
    usage = record.get("usage_details") or {}
    costs = record.get("cost_details") or {}
    inp, out, total = token_totals(usage)
    return (
        jsonb(usage), jsonb(costs), costs.get("total") if costs else None, inp, out, total, record["project_id"],
        record["id"],
    )  # fmt: skip
