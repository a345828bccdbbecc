"""Datasets on PostgreSQL: runs the shared operations of store/datasets.py on the store's pool, writes in one
transaction (retried on a deadlock or serialization failure by the store). `?` placeholders become `%s`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from psycopg import AsyncConnection
from psycopg.rows import DictRow

from spyglass.store import datasets as ops
from spyglass.store.dataset_store import ProgramDatasets

R = TypeVar("R")
Conn = AsyncConnection[DictRow]
OnConnection = Callable[[Callable[[Conn], Awaitable[Any]]], Awaitable[Any]]

DIALECT = ops.Dialect(seconds="CAST(EXTRACT(EPOCH FROM ({b}) - ({a})) AS DOUBLE PRECISION)")


async def run(conn: Conn, program: ops.Program[R]) -> R:
    """Run one shared operation to its end on `conn`."""
    try:
        statement = next(program)
        while True:
            cur = await conn.execute(statement.text.replace("?", "%s"), statement.params)
            rows = [dict(r) for r in await cur.fetchall()] if cur.description else []
            statement = program.send(rows)
    except StopIteration as stop:
        result: R = stop.value
        return result


class _Runner:
    def __init__(self, on_connection: OnConnection) -> None:
        self._on_connection = on_connection

    async def __call__(self, make: Callable[[], ops.Program[R]]) -> R:
        async def go(conn: Conn) -> R:
            return await run(conn, make())

        result: R = await self._on_connection(go)
        return result


def postgres_datasets(read: OnConnection, write: OnConnection) -> ProgramDatasets:
    """The DatasetStore of a PostgresStore: `read` runs on a pooled connection, `write` in a transaction."""
    return ProgramDatasets(get=_Runner(read), put=_Runner(write), dialect=DIALECT)
