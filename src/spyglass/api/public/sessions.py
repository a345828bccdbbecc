"""`/api/public/sessions`: list, and one session with its traces."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from spyglass.api.auth import project_id
from spyglass.api.context import AppContext, context
from spyglass.api.params import page_request, timestamp
from spyglass.api.wire import page_meta, session_to_wire, trace_to_wire
from spyglass.store.base import SessionFilter

router = APIRouter()


@router.get("/sessions")
async def list_sessions(
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
    page: int | None = None,
    limit: int | None = None,
    fromTimestamp: str | None = None,
    toTimestamp: str | None = None,
    environment: list[str] = Query(default=[]),  # noqa: B008
) -> dict[str, Any]:
    flt = SessionFilter(
        from_timestamp=timestamp("fromTimestamp", fromTimestamp),
        to_timestamp=timestamp("toTimestamp", toTimestamp),
        environments=tuple(environment),
    )
    result = await ctx.store.list_sessions(project, flt, page_request(page, limit))
    return {"data": [session_to_wire(s) for s in result.items], "meta": page_meta(result)}


@router.get("/sessions/{session_id}")
async def get_session(
    session_id: str,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
) -> dict[str, Any]:
    detail = await ctx.store.get_session(project, session_id)
    return {**session_to_wire(detail.session), "traces": [trace_to_wire(t) for t in detail.traces]}
