"""`spyglass export-table`: the traces, generations or scores table of a project as CSV, JSON Lines or Parquet.

The same rows, filters and encoders as the UI's download links (query/export.py), streamed to a file or standard
output a page at a time, so a million rows take the memory of one page.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, BinaryIO

import typer

from spyglass.cli_options import DatabaseUrl, DataDir
from spyglass.config import settings_from_env
from spyglass.domain.cursor_pages import ScoreQuery
from spyglass.domain.listing import GenerationQuery, TraceQuery
from spyglass.projects import find_project
from spyglass.query.export import TABLES, ExportError, Format, Query, export, parquet_available, rows
from spyglass.store import open_store
from spyglass.store.base import NotFound


def _time(value: str | None, flag: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{flag} must be an ISO date or timestamp, got {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def export_table(
    table: Annotated[str, typer.Argument(help="traces, generations or scores.")],
    output: Annotated[str, typer.Option("--output", "-o", help="File to write, or - for standard output.")] = "-",
    fmt: Annotated[Format, typer.Option("--format", "-f", help="csv, jsonl or parquet (needs the parquet extra).")] = (
        Format.CSV
    ),
    project: Annotated[str, typer.Option(help="Project name or id.")] = "default",
    since: Annotated[str | None, typer.Option("--from", help="Only rows from this time on (ISO).")] = None,
    until: Annotated[str | None, typer.Option("--to", help="Only rows before this time (ISO).")] = None,
    name: Annotated[str | None, typer.Option(help="Trace, generation or score name.")] = None,
    user: Annotated[str | None, typer.Option(help="User id (traces, generations).")] = None,
    session: Annotated[str | None, typer.Option(help="Session id (traces).")] = None,
    tag: Annotated[list[str] | None, typer.Option(help="Tag the traces must all have (repeatable).")] = None,
    search: Annotated[str | None, typer.Option(help="Text in a trace's input or output.")] = None,
    model: Annotated[str | None, typer.Option(help="Model (generations).")] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Write a table of a project with the UI's filters, streamed page by page."""
    chosen = TABLES.get(table)
    if chosen is None:
        raise typer.BadParameter(f"table must be one of {', '.join(TABLES)}, got {table!r}")
    if fmt is Format.PARQUET and not parquet_available():
        raise typer.BadParameter("Parquet needs pyarrow: pip install 'spyglass[parquet]'")
    start, end = _time(since, "--from"), _time(until, "--to")
    query: Query
    if table == "traces":
        query = TraceQuery(from_timestamp=start, to_timestamp=end, name=name, user_id=user, session_id=session,
                           tags=tuple(tag or ()), search=search)  # fmt: skip
    elif table == "generations":
        query = GenerationQuery(from_timestamp=start, to_timestamp=end, name=name, model=model, user_id=user)
    else:
        query = ScoreQuery(names=(name,) if name else (), from_timestamp=start, to_timestamp=end)
    settings = settings_from_env().with_overrides(data_dir=data_dir, database_url=database_url)

    async def run(out: BinaryIO) -> int:
        store = open_store(settings.store_url, sqlite_synchronous=settings.sqlite_synchronous)
        written = 0
        try:
            await store.migrate()
            found = await find_project(store, project)
            async for chunk in export(chosen, fmt, rows(store, found.id, query)):
                out.write(chunk)
                written += len(chunk)
        finally:
            await store.close()
        return written

    try:
        if output == "-":
            written = asyncio.run(run(sys.stdout.buffer))
        else:
            with Path(output).open("wb") as handle:
                written = asyncio.run(run(handle))
    except (NotFound, ExportError) as exc:
        raise typer.BadParameter(str(exc)) from None
    typer.echo(f"Wrote {written:,} bytes of {table} as {fmt.value}.", err=True)
