"""The `spyglass` command: parse flags, build Settings, call one function. Nothing else reads flags."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from spyglass import __version__
from spyglass.cli_chat import chat
from spyglass.cli_costs import costs_app
from spyglass.cli_export import export_table
from spyglass.cli_lifecycle import masking_app, purge, retention_app
from spyglass.cli_options import DatabaseUrl, DataDir, cli_settings, with_store
from spyglass.cli_prompts import prompts_app
from spyglass.cli_transfer import register as register_transfer
from spyglass.cli_users import users_app
from spyglass.config import Settings
from spyglass.store import open_store
from spyglass.store.base import Conflict, NotFound, Store

R = TypeVar("R")

app = typer.Typer(help="Spyglass: self-hosted LLM observability that speaks Langfuse's API.", no_args_is_help=True)
projects_app = typer.Typer(help="Create and list projects.", no_args_is_help=True)
keys_app = typer.Typer(help="Create, list and revoke API key pairs.", no_args_is_help=True)
app.add_typer(projects_app, name="projects")
app.add_typer(keys_app, name="keys")
app.add_typer(prompts_app, name="prompts")
app.add_typer(costs_app, name="costs")
app.add_typer(users_app, name="users")
app.add_typer(retention_app, name="retention")
app.add_typer(masking_app, name="masking")
app.command("purge")(purge)
app.command("export-table")(export_table)
app.command("chat")(chat)
register_transfer(app)  # spyglass export / spyglass import


def _write_key_file(settings: Settings, public_key: str, secret_key: str) -> Path | None:
    """Keep the first key pair beside a local SQLite file, so `spyglass chat` on this machine finds it."""
    if settings.database_url:
        return None
    path = settings.data_dir / "default-keys.env"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"LANGFUSE_HOST={settings.public_url}\nLANGFUSE_PUBLIC_KEY={public_key}\nLANGFUSE_SECRET_KEY={secret_key}\n"
    )
    os.chmod(path, 0o600)
    return path


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port for the UI and API (default 3000).")] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    access_log: Annotated[bool, typer.Option(help="Log every HTTP request.")] = False,
) -> None:
    """Run the server: API, ingestion and UI in one process, on the embedded SQLite store by default."""
    import uvicorn

    from spyglass.app import create_app
    from spyglass.projects import bootstrap

    settings = cli_settings(data_dir, database_url, host=host, port=port)
    store = open_store(settings.store_url, sqlite_synchronous=settings.sqlite_synchronous)

    async def prepare() -> None:
        applied = await store.migrate()
        if applied:
            typer.echo(f"Applied migrations: {', '.join(applied)}")
        boot = await bootstrap(store, settings)
        if boot.created_key is not None:
            key = boot.created_key
            key_file = _write_key_file(settings, key.public_key, key.secret_key)
            typer.echo(f'\nCreated project "{key.project.name}" with an API key pair. Point your app at Spyglass:\n')
            typer.echo(f"  export LANGFUSE_HOST={settings.public_url}")
            typer.echo(f"  export LANGFUSE_PUBLIC_KEY={key.public_key}")
            typer.echo(f"  export LANGFUSE_SECRET_KEY={key.secret_key}\n")
            typer.echo("The secret is shown only now" + (f" (also saved to {key_file})." if key_file else "."))
        from spyglass.accounts import ensure_first_user
        from spyglass.cli_users import announce_first_user

        announce_first_user(await ensure_first_user(store, settings), settings)

    asyncio.run(prepare())
    typer.echo(f"Spyglass {__version__} listening on {settings.public_url} (store: {settings.store_url})")
    try:
        uvicorn.run(create_app(settings, store), host=settings.host, port=settings.port,
                    log_level=settings.log_level, access_log=access_log)  # fmt: skip
    finally:
        asyncio.run(store.close())


@app.command()
def migrate(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Create or upgrade the database schema, then exit."""
    applied = with_store(cli_settings(data_dir, database_url), lambda store: store.migrate(), migrate=False)
    typer.echo(f"Applied: {', '.join(applied)}" if applied else "The schema is up to date.")


@projects_app.command("create")
def projects_create(
    name: Annotated[str, typer.Argument(help="Project name.")],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create a project and a first key pair for it."""
    from spyglass.projects import create_key

    async def run(store: Store) -> None:
        try:
            project = await store.create_project(name)
        except Conflict as exc:
            raise typer.BadParameter(str(exc)) from None
        key = await create_key(store, project)
        typer.echo(f"Created project {project.name} ({project.id})")
        typer.echo(f"LANGFUSE_PUBLIC_KEY={key.public_key}\nLANGFUSE_SECRET_KEY={key.secret_key}")

    with_store(cli_settings(data_dir, database_url), run)


@projects_app.command("list")
def projects_list(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """List projects."""

    async def run(store: Store) -> None:
        for project in await store.list_projects():
            typer.echo(f"{project.id}  {project.name}  created {project.created_at:%Y-%m-%d %H:%M}")

    with_store(cli_settings(data_dir, database_url), run)


@keys_app.command("create")
def keys_create(
    project: Annotated[str, typer.Option(help="Project name or id.")] = "default",
    note: Annotated[str | None, typer.Option(help="A note to recognise the key by.")] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create a key pair; the secret is printed once and stored only as a salted hash."""
    from spyglass.projects import create_key, find_project

    async def run(store: Store) -> None:
        try:
            found = await find_project(store, project)
        except NotFound as exc:
            raise typer.BadParameter(str(exc)) from None
        key = await create_key(store, found, note=note)
        typer.echo(f"LANGFUSE_PUBLIC_KEY={key.public_key}\nLANGFUSE_SECRET_KEY={key.secret_key}")

    with_store(cli_settings(data_dir, database_url), run)


@keys_app.command("list")
def keys_list(
    project: Annotated[str | None, typer.Option(help="Only this project's keys (name or id).")] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """List key pairs (secrets shown only as a prefix and suffix)."""
    from spyglass.projects import find_project

    async def run(store: Store) -> None:
        project_id = (await find_project(store, project)).id if project else None
        names = {p.id: p.name for p in await store.list_projects()}
        for key in await store.list_api_keys(project_id):
            state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
            typer.echo(f"{key.public_key}  {key.display_secret}  {names.get(key.project_id, '?')}  {state}"
                       + (f"  {key.note}" if key.note else ""))  # fmt: skip

    with_store(cli_settings(data_dir, database_url), run)


@keys_app.command("revoke")
def keys_revoke(
    public_key: Annotated[str, typer.Argument(help="The public key (pk-lf-...) to revoke.")],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Revoke a key pair; requests signed with it get 401 (within 10 s on a running server)."""

    async def run(store: Store) -> None:
        try:
            await store.revoke_api_key(public_key)
        except NotFound as exc:
            raise typer.BadParameter(str(exc)) from None
        typer.echo(f"Revoked {public_key}")

    with_store(cli_settings(data_dir, database_url), run)


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


def main() -> None:
    app()
