"""Datasets on SQLite: runs the shared operations of store/datasets.py on a reader or, for writes, in one
BEGIN IMMEDIATE transaction on the writer thread. Times are integer microseconds since the epoch."""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from spyglass.store import datasets as ops
from spyglass.store.dataset_store import ProgramDatasets

R = TypeVar("R")
OnConnection = Callable[[Callable[[sqlite3.Connection], Any]], Awaitable[Any]]

DIALECT = ops.Dialect(seconds="(({b}) - ({a})) / 1000000.0")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _param(value: Any) -> Any:
    if isinstance(value, datetime):
        delta = (value if value.tzinfo else value.replace(tzinfo=UTC)) - _EPOCH
        return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return value


def run(conn: sqlite3.Connection, program: ops.Program[R]) -> R:
    """Run one shared operation to its end on `conn`."""
    try:
        statement = next(program)
        while True:
            cur = conn.execute(statement.text, tuple(_param(p) for p in statement.params))
            rows = [dict(r) for r in cur.fetchall()] if cur.description else []
            statement = program.send(rows)
    except StopIteration as stop:
        result: R = stop.value
        return result


class _Runner:
    def __init__(self, on_connection: OnConnection) -> None:
        self._on_connection = on_connection

    async def __call__(self, make: Callable[[], ops.Program[R]]) -> R:
        result: R = await self._on_connection(lambda c: run(c, make()))
        return result


def sqlite_datasets(read: OnConnection, write: OnConnection) -> ProgramDatasets:
    """The DatasetStore of a SqliteStore: `read` runs a function on a reader connection, `write` in a transaction on
    the writer."""
    return ProgramDatasets(get=_Runner(read), put=_Runner(write), dialect=DIALECT)
