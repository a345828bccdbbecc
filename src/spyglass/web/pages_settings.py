"""Project settings: API keys (create shows the secret once; revoke). Admins and owners only change them."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from spyglass.domain.accounts import Action
from spyglass.domain.model import ApiKey
from spyglass.projects import create_key
from spyglass.store.base import NotFound
from spyglass.web.auth import Access, Ctx, WebError, check_csrf, form_fields
from spyglass.web.render import render

router = APIRouter()


@dataclass(frozen=True, slots=True)
class KeyRow:
    public_key: str
    note: str | None
    created_at: str
    revoked: bool


@dataclass(frozen=True, slots=True)
class KeysPage:
    project_id: str
    keys: tuple[KeyRow, ...]
    can_manage: bool
    new_public_key: str | None = None
    new_secret_key: str | None = None
    host: str = ""


def _rows(keys: list[ApiKey]) -> tuple[KeyRow, ...]:
    # No part of a secret, to anyone: it is shown once, on the page that created it.
    return tuple(KeyRow(k.public_key, k.note, f"{k.created_at:%Y-%m-%d %H:%M}",
                        k.revoked_at is not None) for k in keys)  # fmt: skip


@router.get("/project/{project_id}/settings/keys")
async def keys(
    request: Request,
    access: Access,
    ctx: Ctx,
) -> Response:
    listed = await ctx.store.list_api_keys(access.project.id)
    page = KeysPage(access.project.id, _rows(listed), access.can(Action.MANAGE_KEYS), host=str(request.base_url))
    return render(request, "settings/keys.html", page, access=access)


@router.post("/project/{project_id}/settings/keys")
async def create(
    request: Request,
    access: Access,
    ctx: Ctx,
) -> Response:
    await check_csrf(request, access.viewer)
    access.require(Action.MANAGE_KEYS)
    note = str((await form_fields(request)).get("note") or "").strip()[:200] or None
    key = await create_key(ctx.store, access.project, note=note)
    listed = await ctx.store.list_api_keys(access.project.id)
    page = KeysPage(access.project.id, _rows(listed), True, key.public_key, key.secret_key, str(request.base_url))
    response = render(request, "settings/keys.html", page, access=access)
    response.headers["Cache-Control"] = "no-store"  # the secret is shown once; keep it out of caches
    return response


@router.post("/project/{project_id}/settings/keys/revoke")
async def revoke(
    request: Request,
    access: Access,
    ctx: Ctx,
) -> Response:
    await check_csrf(request, access.viewer)
    access.require(Action.MANAGE_KEYS)
    public_key = str((await form_fields(request)).get("public_key") or "")
    if not any(k.public_key == public_key for k in await ctx.store.list_api_keys(access.project.id)):
        raise WebError(404, f"no API key {public_key[:60]!r} in this project")
    try:
        await ctx.store.revoke_api_key(public_key)
    except NotFound:
        raise WebError(409, "that key is already revoked") from None
    ctx.keys.forget(public_key)
    return RedirectResponse(f"/project/{access.project.id}/settings/keys", status_code=303)
