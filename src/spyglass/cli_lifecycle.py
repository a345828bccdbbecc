"""`spyglass retention`, `spyglass masking` and `spyglass purge`: a project's data policy from the command line.

They work on the store directly, with or without a server running; a running server picks a changed policy up
within seconds (masking) or at its next retention round (`SPYGLASS_RETENTION_INTERVAL_SECONDS`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from spyglass.cli_options import DatabaseUrl, DataDir, cli_settings, with_store
from spyglass.domain.lifecycle import DataPolicy, PolicyError, PurgeReport
from spyglass.domain.masking import BUILTIN_RULES, checked_policy
from spyglass.projects import find_project
from spyglass.retention import enforce, purge_project
from spyglass.store.base import NotFound, Store
from spyglass.store.blobs import open_blobs

retention_app = typer.Typer(help="How long each project keeps its traces.", no_args_is_help=True)
masking_app = typer.Typer(help="What is masked in each project's data before it is stored.", no_args_is_help=True)

Project = Annotated[str, typer.Option(help="Project name or id.")]


def describe(policy: DataPolicy) -> str:
    kept = f"kept {policy.retention_days} days" if policy.retention_days else "kept forever"
    rules = ", ".join([*policy.masking, *(f"/{p}/" for p in policy.mask_patterns)]) or "nothing"
    return f"{kept}; masked: {rules}"


def _report(report: PurgeReport) -> str:
    return (f"deleted {report.traces} traces, {report.observations} observations, {report.scores} scores and "
            f"{len(report.media_ids)} media files")  # fmt: skip


async def _update(store: Store, project: str, change: Callable[[DataPolicy], DataPolicy]) -> str:
    try:
        found = await find_project(store, project)
    except NotFound as exc:
        raise typer.BadParameter(str(exc)) from None
    try:
        merged = change(await store.get_data_policy(found.id))
        policy = checked_policy(merged.retention_days, merged.masking, merged.mask_patterns)
    except PolicyError as exc:
        raise typer.BadParameter(str(exc)) from None
    await store.set_data_policy(found.id, policy)
    return f"{found.name}: {describe(policy)}"


@retention_app.command("set")
def retention_set(
    days: Annotated[str, typer.Argument(help="Days to keep traces, or 'off' to keep them forever.")],
    project: Project = "default",
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Keep a project's traces, observations, scores and media this many days; older ones are deleted."""
    if days == "off":
        value = None
    elif days.isdigit():
        value = int(days)
    else:
        raise typer.BadParameter(f"days must be a whole number or 'off', got {days!r}")
    try:
        DataPolicy(retention_days=value)
    except PolicyError as exc:
        raise typer.BadParameter(str(exc)) from None

    def change(policy: DataPolicy) -> DataPolicy:
        return replace(policy, retention_days=value)

    typer.echo(with_store(cli_settings(data_dir, database_url), lambda s: _update(s, project, change)))


@masking_app.command("set")
def masking_set(
    rule: Annotated[
        list[str] | None, typer.Option("--rule", help=f"A built-in rule set: {', '.join(BUILTIN_RULES)}.")
    ] = None,
    pattern: Annotated[
        list[str] | None, typer.Option("--pattern", help="A regular expression of your own (RE2 syntax).")
    ] = None,
    project: Project = "default",
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Replace the project's masking rules (none given: mask nothing). Applies to data sent from now on."""

    def change(policy: DataPolicy) -> DataPolicy:
        return replace(policy, masking=tuple(rule or ()), mask_patterns=tuple(pattern or ()))

    typer.echo(with_store(cli_settings(data_dir, database_url), lambda s: _update(s, project, change)))


def _show(data_dir: DataDir, database_url: DatabaseUrl) -> None:
    async def show(store: Store) -> str:
        policies = await store.data_policies()
        return "\n".join(f"{p.name}: {describe(policies.get(p.id, DataPolicy()))}" for p in await store.list_projects())

    typer.echo(with_store(cli_settings(data_dir, database_url), show))


@retention_app.command("show")
def retention_show(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Every project's retention and masking."""
    _show(data_dir, database_url)


@masking_app.command("show")
def masking_show(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Every project's retention and masking."""
    _show(data_dir, database_url)


def purge(
    project: Annotated[str | None, typer.Option(help="Only this project (name or id).")] = None,
    older_than_days: Annotated[
        int | None, typer.Option(min=1, help="Delete what is older than this, instead of each project's retention.")
    ] = None,
    vacuum: Annotated[
        bool, typer.Option(help="Rewrite the SQLite file afterwards so it shrinks (needs free space; blocks writes).")
    ] = False,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Delete old traces now: by each project's retention, or everything older than --older-than-days."""
    if older_than_days is not None and project is None:
        raise typer.BadParameter("--older-than-days needs --project: it deletes data regardless of policies")
    settings = cli_settings(data_dir, database_url)
    blobs = open_blobs(settings.media_url, settings.media_dir)

    async def run(store: Store) -> str:
        lines: list[str] = []
        if older_than_days is not None and project is not None:
            found = await find_project(store, project)
            before = datetime.now(UTC) - timedelta(days=older_than_days)
            lines.append(f"{found.name}: {_report(await purge_project(store, blobs, found.id, before))}")
        else:
            names = {p.id: p.name for p in await store.list_projects()}
            only = (await find_project(store, project)).id if project else None
            for project_id, report in (await enforce(store, blobs, only=only)).items():
                lines.append(f"{names.get(project_id, project_id)}: {_report(report)}")
        if vacuum:
            await store.reclaim_space(full=True)
            lines.append("The database file was rewritten to its smallest size.")
        return "\n".join(lines) or "Nothing is past its retention."

    try:
        typer.echo(with_store(settings, run))
    except NotFound as exc:
        raise typer.BadParameter(str(exc)) from None
