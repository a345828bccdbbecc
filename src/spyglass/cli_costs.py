"""`spyglass costs recompute`: re-price stored generations after a price definition changed.

Langfuse fixes a generation's cost at ingestion for good; here the current definitions can be applied again. Costs
the client sent are never touched. Runs against the store directly, with or without a server running.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated

import typer

from spyglass.cli_options import DatabaseUrl, DataDir
from spyglass.config import settings_from_env
from spyglass.domain.costs import RecomputeReport, describe_recompute
from spyglass.domain.pricing import PricingError, compile_pattern
from spyglass.store import open_store

costs_app = typer.Typer(help="Re-price stored generations with the current model price definitions.",
                        no_args_is_help=True)  # fmt: skip


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"--since must be an ISO date or timestamp, got {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@costs_app.command("recompute")
def recompute(
    since: Annotated[
        str | None, typer.Option(help="Only generations that started at or after this ISO date or timestamp (UTC).")
    ] = None,
    model: Annotated[
        str | None, typer.Option(help="Only generations whose model name matches this regex (case-insensitive).")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report what would change; write nothing.")] = False,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Re-price stored generations with the current definitions; client-sent costs are kept."""
    if model is not None:
        try:
            compile_pattern(model, "--model")
        except PricingError as exc:
            raise typer.BadParameter(str(exc)) from None
    start = _since(since)
    settings = settings_from_env().with_overrides(data_dir=data_dir, database_url=database_url)

    async def run() -> RecomputeReport:
        store = open_store(settings.store_url, sqlite_synchronous=settings.sqlite_synchronous)
        try:
            await store.migrate()
            return await store.recompute_costs(since=start, model_pattern=model, dry_run=dry_run)
        finally:
            await store.close()

    typer.echo(describe_recompute(asyncio.run(run())))
