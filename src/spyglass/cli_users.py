"""`spyglass users create|list|set-password`: web UI accounts from the command line."""

from __future__ import annotations

from typing import Annotated, TypeVar

import typer

from spyglass.accounts import FirstUser, create_user
from spyglass.cli_options import DatabaseUrl, DataDir, cli_settings, with_store
from spyglass.config import Settings
from spyglass.domain.accounts import AccountError, Membership, Role, check_password, hash_password, normalize_email
from spyglass.projects import find_project
from spyglass.store.base import Conflict, NotFound, Store

R = TypeVar("R")

users_app = typer.Typer(help="Create and list web UI users, and set their passwords.", no_args_is_help=True)

Password = Annotated[
    str | None,
    typer.Option(help="The password (at least 8 characters); asked for when left out.", envvar="SPYGLASS_PASSWORD"),
]


def _password(value: str | None) -> str:
    password = value if value is not None else typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        check_password(password)
    except AccountError as exc:
        raise typer.BadParameter(str(exc)) from None
    return password


@users_app.command("create")
def users_create(
    email: Annotated[str, typer.Argument(help="The user's email, used to sign in.")],
    password: Password = None,
    project: Annotated[str, typer.Option(help="Project name or id to give the user a role in.")] = "default",
    role: Annotated[str, typer.Option(help="owner, admin, member or viewer (a viewer changes nothing).")] = "member",
    admin: Annotated[bool, typer.Option("--admin", help="An instance admin: owner of every project.")] = False,
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create a user with a role in one project (or an instance admin)."""
    secret = _password(password)

    async def run(store: Store) -> None:
        try:
            parsed_role = Role(role.lower())
        except ValueError:
            raise typer.BadParameter(f"role must be one of {', '.join(Role)}, got {role!r}") from None
        roles: dict[str, Role] = {}
        if not admin:
            try:
                roles[(await find_project(store, project)).id] = parsed_role
            except NotFound as exc:
                raise typer.BadParameter(str(exc)) from None
        try:
            user = await create_user(store, email, secret, name=name, is_admin=admin, roles=roles)
        except (AccountError, Conflict) as exc:
            raise typer.BadParameter(str(exc)) from None
        typer.echo(f"Created {user.email}" + (" (instance admin)" if admin else f" ({parsed_role} in {project})"))

    with_store(cli_settings(data_dir, database_url), run)


@users_app.command("list")
def users_list(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """List users with their roles."""

    async def run(store: Store) -> None:
        names = {p.id: p.name for p in await store.list_projects()}
        for user in await store.list_users():
            roles = ", ".join(f"{names.get(m.project_id, m.project_id)}:{m.role}"
                              for m in await store.list_memberships(user.id))  # fmt: skip
            typer.echo(f"{user.email}  {'admin' if user.is_admin else roles or '(no project)'}"
                       f"  created {user.created_at:%Y-%m-%d %H:%M}")  # fmt: skip

    with_store(cli_settings(data_dir, database_url), run)


@users_app.command("set-password")
def users_set_password(
    email: Annotated[str, typer.Argument(help="The user's email.")],
    password: Password = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Set a user's password; their signed-in sessions end."""
    secret = _password(password)

    async def run(store: Store) -> None:
        try:
            user = await store.find_user(normalize_email(email))
        except AccountError as exc:
            raise typer.BadParameter(str(exc)) from None
        if user is None:
            raise typer.BadParameter(f"no user {email!r}")
        await store.set_password(user.id, hash_password(secret))
        typer.echo(f"Password set for {user.email}")

    with_store(cli_settings(data_dir, database_url), run)


@users_app.command("grant")
def users_grant(
    email: Annotated[str, typer.Argument(help="The user's email.")],
    project: Annotated[str, typer.Option(help="Project name or id.")] = "default",
    role: Annotated[str, typer.Option(help="owner, admin, member or viewer.")] = "member",
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Give a user a role in a project (replacing the role they had there)."""

    async def run(store: Store) -> None:
        user = await store.find_user(email.strip().lower())
        if user is None:
            raise typer.BadParameter(f"no user {email!r}")
        try:
            found = await find_project(store, project)
            parsed = Role(role.lower())
        except (NotFound, ValueError) as exc:
            raise typer.BadParameter(str(exc)) from None
        await store.set_membership(Membership(found.id, user.id, parsed))
        typer.echo(f"{user.email} is now {parsed} in {found.name}")

    with_store(cli_settings(data_dir, database_url), run)


def announce_first_user(first: FirstUser | None, settings: Settings) -> None:
    """What `spyglass serve` prints when it made the first admin (the generated password only this once)."""
    if first is None:
        return
    typer.echo(f"\nCreated the web UI admin {first.user.email}. Sign in at {settings.public_url}/")
    if first.password is not None:
        typer.echo(f"  password: {first.password}   (shown only now; change it with `spyglass users set-password`)")
