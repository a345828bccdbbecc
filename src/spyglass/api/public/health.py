"""`GET /api/public/health` (no auth) and `GET /api/public/projects` (the key's own project)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from spyglass import __version__
from spyglass.api.auth import project_id
from spyglass.api.context import AppContext, context
from spyglass.api.wire import project_to_wire

open_router = APIRouter()
router = APIRouter(dependencies=[Depends(project_id)])


@open_router.get("/health")
async def health() -> dict[str, Any]:
    return {"status": "OK", "version": __version__}


@router.get("/projects")
async def projects(project: str = Depends(project_id), ctx: AppContext = Depends(context)) -> dict[str, Any]:  # noqa: B008
    return {"data": [project_to_wire(await ctx.store.get_project(project))]}
