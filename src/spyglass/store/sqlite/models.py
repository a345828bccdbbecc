"""Model price definitions in the SQLite backend, the writer's cached PriceBook, and re-pricing stored generations.

Project definitions live in the `models` table; built-in ones come from domain/model_prices.json and are never
stored. Changes run on the writer connection, which also owns the cache, so a write never sees a stale book.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import orjson

from spyglass.domain.bounds import datetime_from_us
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
from spyglass.store.sqlite.rows import record_from_row

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_BATCH = 1000


def _us(value: datetime) -> int:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _dt(value: int | None) -> datetime | None:
    return None if value is None else datetime_from_us(value)


class PriceCache:
    """The writer's PriceBook: the built-ins plus the definitions of each project it wrote for, loaded on first use
    and dropped after a project definition is created or deleted."""

    def __init__(self) -> None:
        self._book: PriceBook | None = None

    def get(self, conn: sqlite3.Connection, project_ids: Iterable[str]) -> PriceBook:
        """A book that prices the generations of `project_ids` (only their definitions are read)."""
        if self._book is None:
            self._book = PriceBook(builtin_models())
        missing = self._book.missing(project_ids)
        for start in range(0, len(missing), 500):
            chunk = missing[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = conn.execute(f"SELECT * FROM models WHERE project_id IN ({marks})", chunk).fetchall()
            for project_id in chunk:
                self._book.load(project_id, [model_from_row(r) for r in rows if r["project_id"] == project_id])
        return self._book

    def get_all(self, conn: sqlite3.Connection) -> PriceBook:
        """A book for every project (re-pricing the whole store)."""
        rows = conn.execute("SELECT DISTINCT project_id FROM models").fetchall()
        return self.get(conn, [r["project_id"] for r in rows])

    def invalidate(self) -> None:
        self._book = None


# --- rows ---


def model_from_row(row: sqlite3.Row) -> ModelDefinition:
    config = row["tokenizer_config"]
    return ModelDefinition(
        id=row["id"], model_name=row["model_name"], match_pattern=row["match_pattern"],
        prices=orjson.loads(row["prices"]), start_date=_dt(row["start_date"]), unit=row["unit"],
        tokenizer_id=row["tokenizer_id"], tokenizer_config=orjson.loads(config) if config is not None else None,
        project_id=row["project_id"], created_at=_dt(row["created_at"]),
        tiers=tiers_from_json(row["pricing_tiers"]),
    )  # fmt: skip


# --- definitions ---


def create_model(conn: sqlite3.Connection, project_id: str, definition: ModelDefinition) -> ModelDefinition:
    """Insert a project definition (a new id and creation time are assigned)."""
    created = replace(
        definition, id=uuid.uuid4().hex[:25], project_id=project_id, created_at=datetime.now(UTC), _regex=None
    )
    assert created.created_at is not None
    conn.execute(
        "INSERT INTO models (id, project_id, model_name, match_pattern, start_date, unit, prices, pricing_tiers,"
        " tokenizer_id, tokenizer_config, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            created.id, project_id, created.model_name, created.match_pattern,
            _us(created.start_date) if created.start_date is not None else None, created.unit,
            orjson.dumps(dict(created.prices)).decode(), tiers_to_json(created.tiers), created.tokenizer_id,
            orjson.dumps(created.tokenizer_config).decode() if created.tokenizer_config is not None else None,
            _us(created.created_at),
        ),
    )  # fmt: skip
    return created


def delete_model(conn: sqlite3.Connection, project_id: str, model_id: str) -> None:
    """Raises Conflict for a built-in definition, NotFound for an unknown id."""
    if any(d.id == model_id for d in builtin_models()):
        raise Conflict(
            f"model {model_id!r} is a built-in definition and cannot be deleted; create a project definition with"
            " the same matchPattern to override its price"
        )
    cur = conn.execute("DELETE FROM models WHERE project_id = ? AND id = ?", (project_id, model_id))
    if cur.rowcount == 0:
        raise NotFound(f"model {model_id!r} not found")


def get_model(conn: sqlite3.Connection, project_id: str, model_id: str) -> ModelDefinition:
    for definition in builtin_models():
        if definition.id == model_id:
            return definition
    row = conn.execute("SELECT * FROM models WHERE project_id = ? AND id = ?", (project_id, model_id)).fetchone()
    if row is None:
        raise NotFound(f"model {model_id!r} not found")
    return model_from_row(row)


def list_models(conn: sqlite3.Connection, project_id: str, page: PageRequest) -> Page[ModelDefinition]:
    """The project's own definitions (newest first), then the built-in ones by name."""
    rows = conn.execute("SELECT * FROM models WHERE project_id = ?", (project_id,)).fetchall()
    everything = builtin_sorted([*(model_from_row(r) for r in rows), *builtin_models()])
    items = everything[page.offset : page.offset + page.limit]
    return Page(items=tuple(items), total=len(everything), page=page.page, limit=page.limit)


# --- re-pricing ---

_OBSERVATION_FIELDS = (
    "project_id, id, trace_id, type, model, start_time, input, output, usage_details, cost_details, total_cost,"
    " field_ts"
)


def recompute_costs(
    conn: sqlite3.Connection,
    book: PriceBook,
    rollup: Any,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    project_id: str | None = None,
    model_pattern: str | None = None,
    dry_run: bool = False,
) -> RecomputeReport:
    """Re-price every stored observation with a model (started in [`since`, `until`), in `project_id` or every
    project, model name matching the regex `model_pattern` case-insensitively) with `book`. Client-sent costs and
    usage stay as they are. Rows whose cost changed are updated and their traces' roll-ups refreshed by
    `rollup(conn, trace_keys)`, unless `dry_run`."""
    pattern = compile_pattern(model_pattern, "--model") if model_pattern else None
    sql = f"SELECT {_OBSERVATION_FIELDS} FROM observations WHERE model IS NOT NULL"
    params: list[Any] = []
    if since is not None:
        sql += " AND start_time >= ?"
        params.append(_us(since))
    if until is not None:
        sql += " AND start_time < ?"
        params.append(_us(until))
    if project_id is not None:
        sql += " AND project_id = ?"
        params.append(project_id)
    examined = changed = 0
    before = after = 0.0
    updates: list[tuple[Any, ...]] = []
    traces: set[tuple[str, str]] = set()
    cursor = conn.execute(sql, params)
    while rows := cursor.fetchmany(_BATCH):
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
        conn.executemany(
            "UPDATE observations SET usage_details = ?, cost_details = ?, total_cost = ?, input_tokens = ?,"
            " output_tokens = ?, total_tokens = ? WHERE project_id = ? AND id = ?",
            updates,
        )
        rollup(conn, traces)
    return RecomputeReport(examined, changed, before, after, len(traces), dry_run)


def _update_params(record: Record) -> tuple[Any, ...]:
    usage = record.get("usage_details") or {}
    costs = record.get("cost_details") or {}
    inp, out, total = token_totals(usage)
    return (
        orjson.dumps(usage).decode(), orjson.dumps(costs).decode(), costs.get("total") if costs else None,
        inp, out, total, record["project_id"], record["id"],
    )  # fmt: skip


def price_observations(records: Iterable[Record], book: PriceBook) -> None:
    """The write path's hook: price every folded observation record in place (see domain/pricing.price_record)."""
    for record in records:
        price_record(record, book)
