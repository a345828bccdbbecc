"""`spyglass prompts list|show|push|label`: manage prompts on the local store without a running server.

Flags are parsed here and handed to the Store as domain values; validation is the same as the HTTP API's
(domain/prompts.py), so a prompt pushed from the CLI is one the SDKs can fetch.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from spyglass.cli_options import DatabaseUrl, DataDir
from spyglass.config import settings_from_env
from spyglass.domain.prompts import (
    InvalidPrompt,
    Prompt,
    PromptFilter,
    PromptType,
    new_prompt,
    validate_labels,
)
from spyglass.projects import find_project
from spyglass.store import open_store
from spyglass.store.base import NotFound, PageRequest, Store

R = TypeVar("R")

prompts_app = typer.Typer(help="List, show, push and label versioned prompts.", no_args_is_help=True)

ProjectOption = Annotated[str, typer.Option("--project", help="Project name or id.")]


def _run(data_dir: Path | None, database_url: str | None, project: str, fn: Callable[[Store, str], Awaitable[R]]) -> R:
    """Open the store (migrated), resolve the project, run `fn`; domain errors become clean CLI errors."""
    settings = settings_from_env().with_overrides(data_dir=data_dir, database_url=database_url)

    async def run() -> R:
        store = open_store(settings.store_url, sqlite_synchronous=settings.sqlite_synchronous)
        try:
            await store.migrate()
            project_id = (await find_project(store, project)).id
            return await fn(store, project_id)
        finally:
            await store.close()

    try:
        return asyncio.run(run())
    except (InvalidPrompt, NotFound) as exc:
        typer.echo(f"Error: {exc.args[0] if exc.args else exc}", err=True)
        raise typer.Exit(1) from None


def _describe(prompt: Prompt) -> str:
    labels = ", ".join(prompt.labels) or "-"
    return f"{prompt.name} v{prompt.version} ({prompt.type.value})  labels: {labels}"


@prompts_app.command("list")
def list_prompts(
    name: Annotated[str | None, typer.Option(help="Only this prompt name.")] = None,
    label: Annotated[str | None, typer.Option(help="Only versions with this label.")] = None,
    tag: Annotated[str | None, typer.Option(help="Only prompts with this tag.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many prompts.")] = 100,
    project: ProjectOption = "default",
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """List prompts: name, type, versions, labels and tags, most recently updated first."""

    async def run(store: Store, project_id: str) -> None:
        page = await store.list_prompts(project_id, PromptFilter(name=name, label=label, tag=tag),
                                        PageRequest(limit=limit))  # fmt: skip
        if not page.items:
            typer.echo("No prompts.")
        for meta in page.items:
            versions = ",".join(str(v) for v in meta.versions)
            tags = f"  tags: {', '.join(meta.tags)}" if meta.tags else ""
            typer.echo(f"{meta.name}  {meta.type.value}  versions {versions}  labels: {', '.join(meta.labels)}{tags}")

    _run(data_dir, database_url, project, run)


@prompts_app.command("show")
def show_prompt(
    name: Annotated[str, typer.Argument(help="Prompt name (folders as a/b).")],
    version: Annotated[int | None, typer.Option(help="This version.")] = None,
    label: Annotated[str | None, typer.Option(help="The version with this label (default production).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the prompt object as JSON.")] = False,
    project: ProjectOption = "default",
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Print one version of a prompt: by --version, by --label, or the production version."""
    if version is not None and label is not None:
        raise typer.BadParameter("pass either --version or --label, not both")

    async def run(store: Store, project_id: str) -> None:
        prompt = await store.get_prompt(project_id, name, version=version,
                                        label=None if version is not None else (label or "production"))  # fmt: skip
        if as_json:
            typer.echo(json.dumps(_to_json(prompt), indent=2, ensure_ascii=False))
            return
        typer.echo(_describe(prompt))
        if prompt.tags:
            typer.echo(f"tags: {', '.join(prompt.tags)}")
        if prompt.commit_message:
            typer.echo(f"message: {prompt.commit_message}")
        if prompt.config not in (None, {}):
            typer.echo(f"config: {json.dumps(prompt.config, ensure_ascii=False)}")
        typer.echo("")
        if isinstance(prompt.prompt, str):
            typer.echo(prompt.prompt)
        else:
            for message in prompt.prompt:
                if message.get("type") == "placeholder":
                    typer.echo(f"[placeholder: {message.get('name')}]")
                else:
                    typer.echo(f"[{message.get('role')}] {message.get('content')}")

    _run(data_dir, database_url, project, run)


def _to_json(prompt: Prompt) -> dict[str, Any]:
    return {
        "name": prompt.name, "version": prompt.version, "type": prompt.type.value, "prompt": prompt.prompt,
        "config": prompt.config, "labels": list(prompt.labels), "tags": list(prompt.tags),
        "commitMessage": prompt.commit_message,
    }  # fmt: skip


def _read_spec(path: Path) -> dict[str, Any]:
    """A text file is a text prompt; a JSON list is a chat prompt; a JSON object may carry every field."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise typer.BadParameter(f"cannot read {path}: {exc.strerror}") from None
    if path.suffix.lower() != ".json":
        return {"prompt": text}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise typer.BadParameter(f"{path} is not valid JSON: {exc}") from None
    if isinstance(data, list):
        return {"prompt": data, "type": "chat"}
    if isinstance(data, dict) and "prompt" in data:
        return data
    raise typer.BadParameter(f"{path} must hold a list of chat messages or an object with a 'prompt' key")


@prompts_app.command("push")
def push_prompt(
    name: Annotated[str, typer.Argument(help="Prompt name (folders as a/b).")],
    file: Annotated[
        Path,
        typer.Argument(
            help="A text file (text prompt) or a JSON file (chat messages, or an "
            "object with prompt/type/config/labels/tags/commitMessage)."
        ),
    ],
    prompt_type: Annotated[
        PromptType | None, typer.Option("--type", help="Override the type the file implies.")
    ] = None,
    label: Annotated[
        list[str] | None, typer.Option("--label", "-l", help="Label the new version (repeatable).")
    ] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", "-t", help="Set the prompt's tags (repeatable).")] = None,
    config: Annotated[str | None, typer.Option(help="Config as JSON, e.g. '{\"temperature\": 0.2}'.")] = None,
    message: Annotated[str | None, typer.Option("--message", "-m", help="Commit message.")] = None,
    project: ProjectOption = "default",
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create the next version of a prompt from a file; it gets the `latest` label and any --label given."""
    spec = _read_spec(file)
    if config is not None:
        try:
            spec["config"] = json.loads(config)
        except json.JSONDecodeError as exc:
            raise typer.BadParameter(f"--config is not valid JSON: {exc}") from None
    try:
        new = new_prompt(
            name=name, prompt=spec.get("prompt"), type=prompt_type.value if prompt_type else spec.get("type"),
            config=spec.get("config"), labels=[*(spec.get("labels") or []), *(label or [])],
            tags=tag if tag else spec.get("tags"), commit_message=message or spec.get("commitMessage"),
            created_by="CLI",
        )  # fmt: skip
    except InvalidPrompt as exc:
        raise typer.BadParameter(str(exc)) from None

    async def run(store: Store, project_id: str) -> None:
        typer.echo(f"Created {_describe(await store.create_prompt(project_id, new))}")

    _run(data_dir, database_url, project, run)


@prompts_app.command("label")
def label_prompt(
    name: Annotated[str, typer.Argument(help="Prompt name.")],
    version: Annotated[int, typer.Argument(help="The version to label.")],
    labels: Annotated[list[str] | None, typer.Argument(help="Labels to put on it (moved off other versions).")] = None,
    remove: Annotated[
        list[str] | None, typer.Option("--remove", "-r", help="Take this label off (repeatable).")
    ] = None,
    project: ProjectOption = "default",
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Put labels on a version (e.g. `production` to serve it by default) or take them off with --remove."""
    try:
        add = validate_labels(labels or [])
        drop = validate_labels(remove or [], "--remove")
    except InvalidPrompt as exc:
        raise typer.BadParameter(str(exc)) from None
    if not add and not drop:
        raise typer.BadParameter("give at least one label to add, or --remove LABEL")

    async def run(store: Store, project_id: str) -> None:
        typer.echo(_describe(await store.update_prompt_labels(project_id, name, version, add, drop)))

    _run(data_dir, database_url, project, run)
