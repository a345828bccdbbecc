"""Prompt pages: the list, one prompt (versions, a version's body, labels, metrics, generations), a diff of two
versions, and the form for a new version. Members and above create versions and move labels; viewers read.

Names may contain '/', so the name is the last part of every path (`{name:path}`) and the action comes before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from spyglass.domain.accounts import Action
from spyglass.domain.prompts import InvalidPrompt, Prompt, PromptGeneration, PromptUsage, validate_labels
from spyglass.query.prompts import (
    PromptDiff,
    PromptRow,
    VersionRow,
    config_json,
    default_version,
    diff_versions,
    list_prompt_rows,
    version_metrics,
    version_rows,
)
from spyglass.store.base import NotFound, PageRequest
from spyglass.web.auth import Access, Ctx, WebError, check_csrf
from spyglass.web.prompt_form import PromptForm, blank_form, form_from_prompt, new_version
from spyglass.web.render import render

router = APIRouter()

PAGE_SIZE = 50
GENERATIONS_PAGE_SIZE = 20


@dataclass(frozen=True, slots=True)
class PromptListPage:
    project_id: str
    search: str
    rows: tuple[PromptRow, ...]
    total: int
    page: int
    pages: int
    can_edit: bool


@dataclass(frozen=True, slots=True)
class PromptPage:
    project_id: str
    name: str
    versions: tuple[VersionRow, ...]
    selected: Prompt
    config_json: str
    usage: PromptUsage
    generations: tuple[PromptGeneration, ...]
    generations_total: int
    generations_page: int
    generations_pages: int
    can_edit: bool
    url: str


@dataclass(frozen=True, slots=True)
class PromptDiffPage:
    project_id: str
    name: str
    versions: tuple[int, ...]
    diff: PromptDiff
    url: str


@dataclass(frozen=True, slots=True)
class PromptFormPage:
    project_id: str
    form: PromptForm
    error: str | None = None


def prompt_url(project_id: str, name: str) -> str:
    return f"/project/{project_id}/prompts/{quote(name, safe='/')}"


def _int(request: Request, key: str, default: int | None = None) -> int | None:
    raw = request.query_params.get(key, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= 2**31 - 1:
        raise WebError(400, f"{key} must be a whole number from 1, got {raw[:20]!r}")
    return int(raw)


@router.get("/project/{project_id}/prompts")
async def prompts(request: Request, access: Access, ctx: Ctx) -> Response:
    search = request.query_params.get("q", "").strip()[:200]
    number = _int(request, "page", 1) or 1
    listed = await list_prompt_rows(ctx.store, access.project.id, search, PageRequest(number, PAGE_SIZE))
    page = PromptListPage(access.project.id, search, listed.items, listed.total, number, listed.total_pages,
                          access.can(Action.EDIT_PROMPTS))  # fmt: skip
    return render(request, "prompts/list.html", page, access=access)


async def _version(ctx: Ctx, project_id: str, name: str, version: int) -> Prompt:
    try:
        return await ctx.store.get_prompt(project_id, name, version=version)
    except NotFound:
        raise WebError(404, f"prompt {name!r} has no version {version}") from None


async def _versions(ctx: Ctx, project_id: str, name: str) -> tuple[VersionRow, ...]:
    try:
        return await version_rows(ctx.store, project_id, name)
    except NotFound:
        raise WebError(404, f"no prompt named {name!r} in this project") from None


@router.get("/project/{project_id}/prompts/{name:path}")
async def prompt(request: Request, name: str, access: Access, ctx: Ctx) -> Response:
    versions = await _versions(ctx, access.project.id, name)
    selected = await _version(ctx, access.project.id, name, _int(request, "version") or default_version(versions))
    number = _int(request, "page", 1) or 1
    usage, generations = await version_metrics(ctx.store, access.project.id, name, selected.version,
                                               PageRequest(number, GENERATIONS_PAGE_SIZE))  # fmt: skip
    page = PromptPage(
        access.project.id, name, versions, selected, config_json(selected.config), usage, generations.items,
        generations.total, number, generations.total_pages, access.can(Action.EDIT_PROMPTS),
        prompt_url(access.project.id, name),
    )  # fmt: skip
    return render(request, "prompts/detail.html", page, access=access)


@router.get("/project/{project_id}/prompt-diff/{name:path}")
async def prompt_diff(request: Request, name: str, access: Access, ctx: Ctx) -> Response:
    versions = await _versions(ctx, access.project.id, name)
    newest = versions[0].version
    new = _int(request, "to", newest) or newest
    old = _int(request, "from", max(1, new - 1)) or 1
    diff = diff_versions(await _version(ctx, access.project.id, name, old),
                         await _version(ctx, access.project.id, name, new))  # fmt: skip
    page = PromptDiffPage(access.project.id, name, tuple(v.version for v in versions), diff,
                          prompt_url(access.project.id, name))  # fmt: skip
    return render(request, "prompts/diff.html", page, access=access)


@router.get("/project/{project_id}/prompt-new")
async def new_prompt_form(request: Request, access: Access) -> Response:
    access.require(Action.EDIT_PROMPTS)
    return render(request, "prompts/new.html", PromptFormPage(access.project.id, blank_form()), access=access)


@router.get("/project/{project_id}/prompt-new/{name:path}")
async def new_version_form(request: Request, name: str, access: Access, ctx: Ctx) -> Response:
    """The new-version form, filled with `from` (default: the version the prompt's page opens on)."""
    access.require(Action.EDIT_PROMPTS)
    versions = await _versions(ctx, access.project.id, name)
    base = await _version(ctx, access.project.id, name, _int(request, "from") or default_version(versions))
    page = PromptFormPage(access.project.id, form_from_prompt(base))
    return render(request, "prompts/new.html", page, access=access)


@router.post("/project/{project_id}/prompt-versions")
async def create_version(request: Request, access: Access, ctx: Ctx) -> Response:
    await check_csrf(request, access.viewer)
    access.require(Action.EDIT_PROMPTS)
    form = await request.form()
    fields: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
    roles = [v for v in form.getlist("role") if isinstance(v, str)]
    contents = [v for v in form.getlist("content") if isinstance(v, str)]
    author = access.viewer.user.name or access.viewer.user.email
    try:
        entered, new = new_version(fields, roles, contents, author)
    except InvalidPrompt as exc:
        entered = PromptForm.from_fields(fields, roles, contents)
        page = PromptFormPage(access.project.id, entered, str(exc))
        return render(request, "prompts/new.html", page, access=access, status=400)
    created = await ctx.store.create_prompt(access.project.id, new)
    return RedirectResponse(f"{prompt_url(access.project.id, created.name)}?version={created.version}",
                            status_code=303)  # fmt: skip


@router.post("/project/{project_id}/prompt-labels/{name:path}")
async def move_labels(request: Request, name: str, access: Access, ctx: Ctx) -> Response:
    """Put a label on a version (moving it off the version that had it) or take one off."""
    await check_csrf(request, access.viewer)
    access.require(Action.EDIT_PROMPTS)
    form = await request.form()
    raw_version = str(form.get("version") or "")
    if not raw_version.isdigit() or not 1 <= int(raw_version) <= 2**31 - 1:
        raise WebError(400, f"version must be a whole number from 1, got {raw_version[:20]!r}")
    add_raw = str(form.get("add") or "").strip()
    remove_raw = str(form.get("remove") or "").strip()
    try:
        add = validate_labels([add_raw] if add_raw else [], "label")
        remove = validate_labels([remove_raw] if remove_raw else [], "label")
        if not add and not remove:
            raise InvalidPrompt("name a label to set or to remove")
        await ctx.store.update_prompt_labels(access.project.id, name, int(raw_version), add, remove)
    except InvalidPrompt as exc:
        raise WebError(400, str(exc)) from None
    except NotFound:
        raise WebError(404, f"prompt {name!r} has no version {raw_version}") from None
    return RedirectResponse(f"{prompt_url(access.project.id, name)}?version={raw_version}", status_code=303)
