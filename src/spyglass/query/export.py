"""Filtered export of the traces, generations and scores tables as CSV, JSON Lines or Parquet, streamed.

Rows are read a page at a time through the same keyset queries as the UI tables (so the filters mean the same), the
whole input, output and metadata fetched per page, and encoded as they arrive: memory stays the size of one page
however many rows there are. The UI and `spyglass export-table` both use `export`.
"""

from __future__ import annotations

import csv
import enum
import io
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from spyglass.domain.cursor_pages import Keyset, ScoreQuery
from spyglass.domain.listing import Cursor, GenerationQuery, TraceQuery
from spyglass.store.base import Store

PAGE = 500


class Format(enum.StrEnum):
    CSV = "csv"
    JSONL = "jsonl"
    PARQUET = "parquet"


MEDIA_TYPES = {
    Format.CSV: "text/csv; charset=utf-8",
    Format.JSONL: "application/x-ndjson",
    Format.PARQUET: "application/vnd.apache.parquet",
}

# Column kinds, for Parquet's schema and CSV's text: "time", "float", "int", "bool", "text", "json".
Columns = tuple[tuple[str, str], ...]

TRACE_COLUMNS: Columns = (
    ("id", "text"), ("timestamp", "time"), ("name", "text"), ("user_id", "text"), ("session_id", "text"),
    ("tags", "json"), ("level", "text"), ("environment", "text"), ("latency_seconds", "float"),
    ("observation_count", "int"), ("input_tokens", "int"), ("output_tokens", "int"), ("total_tokens", "int"),
    ("total_cost", "float"), ("bookmarked", "bool"), ("input", "json"), ("output", "json"), ("metadata", "json"),
)  # fmt: skip
GENERATION_COLUMNS: Columns = (
    ("id", "text"), ("trace_id", "text"), ("name", "text"), ("start_time", "time"), ("model", "text"),
    ("level", "text"), ("latency_seconds", "float"), ("time_to_first_token_seconds", "float"),
    ("input_tokens", "int"), ("output_tokens", "int"), ("total_tokens", "int"), ("total_cost", "float"),
    ("prompt_name", "text"), ("prompt_version", "int"), ("input", "json"), ("output", "json"), ("metadata", "json"),
)  # fmt: skip
SCORE_COLUMNS: Columns = (
    ("id", "text"), ("timestamp", "time"), ("name", "text"), ("value", "float"), ("string_value", "text"),
    ("data_type", "text"), ("source", "text"), ("trace_id", "text"), ("observation_id", "text"),
    ("session_id", "text"), ("dataset_run_id", "text"), ("comment", "text"), ("author_user_id", "text"),
    ("environment", "text"),
)  # fmt: skip


_CONTENT = ("input", "output", "metadata")
_TRACE_FIELDS = tuple(name for name, _ in TRACE_COLUMNS if name not in _CONTENT)
_GENERATION_FIELDS = tuple(name for name, _ in GENERATION_COLUMNS if name not in _CONTENT)


class ExportError(ValueError):
    """The export cannot be made as asked (a format that needs an extra, say)."""


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    columns: Columns


TABLES = {
    "traces": Table("traces", TRACE_COLUMNS),
    "generations": Table("generations", GENERATION_COLUMNS),
    "scores": Table("scores", SCORE_COLUMNS),
}

Query = TraceQuery | GenerationQuery | ScoreQuery
Rows = AsyncIterator[list[dict[str, Any]]]


async def rows(store: Store, project_id: str, query: Query) -> Rows:
    """The matching rows, a page (a list of column -> value) at a time."""
    if isinstance(query, TraceQuery):
        async for page in _traces(store, project_id, query):
            yield page
    elif isinstance(query, GenerationQuery):
        async for page in _generations(store, project_id, query):
            yield page
    else:
        async for page in _scores(store, project_id, query):
            yield page


async def _traces(store: Store, project_id: str, query: TraceQuery) -> Rows:
    cursor: Cursor | None = None
    while True:
        page = await store.list_trace_rows(project_id, query, cursor, PAGE)
        content = await store.contents(project_id, "traces", [r.id for r in page.items])
        yield [
            {name: getattr(r, name) for name in _TRACE_FIELDS}
            | dict(zip(_CONTENT, content.get(r.id, (None, None, None)), strict=True))
            for r in page.items
        ]
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


async def _generations(store: Store, project_id: str, query: GenerationQuery) -> Rows:
    cursor: Cursor | None = None
    while True:
        page = await store.list_generation_rows(project_id, query, cursor, PAGE)
        content = await store.contents(project_id, "observations", [r.id for r in page.items])
        yield [
            {name: getattr(r, name) for name in _GENERATION_FIELDS}
            | dict(zip(_CONTENT, content.get(r.id, (None, None, None)), strict=True))
            for r in page.items
        ]
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


async def _scores(store: Store, project_id: str, query: ScoreQuery) -> Rows:
    after: Keyset | None = None
    while True:
        page = await store.list_scores_v3(project_id, query, after, PAGE)
        yield [{name: getattr(s, name) for name, _ in SCORE_COLUMNS} for s in page.items]
        if page.next is None:
            return
        after = page.next


# --- encoders ---


def _text(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "time":
        return str(value.isoformat().replace("+00:00", "Z"))
    if kind == "json":
        return value if isinstance(value, str) else orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    if kind == "bool":
        return "true" if value else "false"
    return str(value)


async def _csv(table: Table, source: Rows) -> AsyncIterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([name for name, _ in table.columns])
    async for page in source:
        for row in page:
            writer.writerow([_text(row[name], kind) for name, kind in table.columns])
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


async def _jsonl(table: Table, source: Rows) -> AsyncIterator[bytes]:
    options = orjson.OPT_NON_STR_KEYS | orjson.OPT_UTC_Z | orjson.OPT_APPEND_NEWLINE
    async for page in source:
        yield b"".join(orjson.dumps({name: row[name] for name, _ in table.columns}, option=options) for row in page)


class _Chunks(io.RawIOBase):
    """A write-only file whose bytes are collected until taken: lets Parquet's writer stream row group by group."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self.parts.append(chunk)
        return len(chunk)

    def take(self) -> bytes:
        out = b"".join(self.parts)
        self.parts.clear()
        return out


async def _parquet(table: Table, source: Rows) -> AsyncIterator[bytes]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ExportError("Parquet needs pyarrow: pip install 'spyglass[parquet]'") from None
    types: dict[str, Any] = {"time": pa.timestamp("us", tz="UTC"), "float": pa.float64(), "int": pa.int64(),
                             "bool": pa.bool_(), "text": pa.string(), "json": pa.string()}  # fmt: skip
    schema = pa.schema([(name, types[kind]) for name, kind in table.columns])
    convert: dict[str, Callable[[Any], Any]] = {
        name: (lambda v: None if v is None else _text(v, "json")) if kind == "json" else (lambda v: v)
        for name, kind in table.columns
    }
    sink = _Chunks()
    with pq.ParquetWriter(sink, schema, compression="zstd") as writer:
        async for page in source:
            if page:
                columns = {name: [convert[name](row[name]) for row in page] for name, _ in table.columns}
                writer.write_table(pa.table(columns, schema=schema))
                yield sink.take()
    yield sink.take()


def export(table: Table, fmt: Format, source: Rows) -> AsyncIterator[bytes]:
    """The encoded bytes of `source`'s rows, as they are produced."""
    if fmt is Format.CSV:
        return _csv(table, source)
    if fmt is Format.JSONL:
        return _jsonl(table, source)
    return _parquet(table, source)


def parquet_available() -> bool:
    try:
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        return False
    return True


def file_name(table: Table, fmt: Format, now: datetime) -> str:
    return f"{table.name}-{now:%Y%m%d-%H%M%S}.{fmt.value}"
