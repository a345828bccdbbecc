"""Trace pages: the table (filters, sort, keyset pages, live rows), one trace, and the actions on it."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from spyglass.domain.accounts import Action
from spyglass.domain.listing import TraceRow
from spyglass.domain.model import Score
from spyglass.ingest.values import InvalidItem
from spyglass.query.traces import (
    TraceView,
    decode_cursor,
    encode_cursor,
    list_traces,
    public_view,
    trace_view,
)
from spyglass.store.base import NotFound
from spyglass.web.annotate import annotation, trace_flag
from spyglass.web.auth import Access, Ctx, WebError, check_csrf, form_fields
from spyglass.web.evaluation_panels import TraceEvaluation, trace_evaluation
from spyglass.web.filters import LEVELS, PAGE_SIZES, PRESETS, ListState, state, trace_query
from spyglass.web.render import fragment, render

router = APIRouter()


@dataclass(frozen=True, slots=True)
class TraceListPage:
    project_id: str
    state: ListState
    rows: tuple[TraceRow, ...]
    next_cursor: str | None
    cursor: str | None
    presets: tuple[str, ...] = tuple(PRESETS)
    levels: tuple[str, ...] = LEVELS
    page_sizes: tuple[int, ...] = PAGE_SIZES


@dataclass(frozen=True, slots=True)
class TracePage:
    project_id: str
    view: TraceView
    can_annotate: bool
    can_share: bool
    public_url: str
    base_url: str
    media_url: str  # where a media reference in the content is shown from; `{id}` is the media id
    evaluation: TraceEvaluation | None = None  # score-config forms and comments (templates/traces/_evaluation.html)


@router.get("/project/{project_id}/traces")
async def traces(
    request: Request,
    access: Access,
    ctx: Ctx,
) -> Response:
    params = request.query_params
    try:
        cursor = decode_cursor(params.get("cursor"))
        query = trace_query(params)
        listed = await list_traces(ctx.store, access.project.id, query, cursor, state(params).limit)
    except ValueError as exc:
        raise WebError(400, str(exc)) from None
    page = TraceListPage(access.project.id, state(params), listed.items, encode_cursor(listed.next_cursor),
                         params.get("cursor"))  # fmt: skip
    if request.headers.get("x-fragment") == "rows":
        return fragment("traces/_rows.html", page)
    return render(request, "traces/list.html", page, access=access)


async def _view(ctx: Ctx, project_id: str, trace_id: str, selected: str | None) -> TraceView:
    try:
        return await trace_view(ctx.store, project_id, trace_id, selected)
    except NotFound:
        raise WebError(404, f"trace {trace_id!r} not found in this project") from None


@router.get("/project/{project_id}/traces/{trace_id:path}")
async def trace(
    request: Request,
    trace_id: str,
    access: Access,
    ctx: Ctx,
) -> Response:
    view = await _view(ctx, access.project.id, trace_id, request.query_params.get("observation"))
    selected = view.selected.id if view.selected else None
    page = TracePage(access.project.id, view, access.can(Action.ANNOTATE), access.can(Action.SHARE),
                     f"/public/{access.project.id}/traces/{quote(trace_id)}",
                     f"/project/{access.project.id}/traces/{quote(trace_id)}",
                     f"/project/{access.project.id}/media/{{id}}",
                     await trace_evaluation(ctx.store, access, view.trace.id, selected))  # fmt: skip
    return render(request, "traces/detail.html", page, access=access)


def _back(request: Request, project_id: str, trace_id: str) -> str:
    referer = request.headers.get("referer", "")
    path = f"/project/{project_id}/traces/{trace_id}"
    return referer[referer.index(path) :] if path in referer else path


async def _existing(ctx: Ctx, project_id: str, trace_id: str) -> None:
    try:
        await ctx.store.get_trace(project_id, trace_id)
    except NotFound:
        raise WebError(404, f"trace {trace_id!r} not found in this project") from None


@router.post("/project/{project_id}/trace-scores/{trace_id:path}")
async def add_score(
    request: Request,
    trace_id: str,
    access: Access,
    ctx: Ctx,
) -> Response:
    await check_csrf(request, access.viewer)
    access.require(Action.ANNOTATE)
    await _existing(ctx, access.project.id, trace_id)
    form = await form_fields(request)
    try:
        event = annotation(form, access.project.id, trace_id, access.viewer.user.id)
    except InvalidItem as exc:
        raise WebError(400, str(exc)) from None
    await ctx.pipeline.submit([event])
    if request.headers.get("x-csrf-token"):
        return Response(status_code=204)
    return RedirectResponse(_back(request, access.project.id, trace_id), status_code=303)


@router.post("/project/{project_id}/trace-flags/{trace_id:path}")
async def set_flag(
    request: Request,
    trace_id: str,
    access: Access,
    ctx: Ctx,
) -> Response:
    await check_csrf(request, access.viewer)
    form = await form_fields(request)
    field = str(form.get("flag") or "")
    if field not in ("bookmarked", "public"):
        raise WebError(400, "flag must be bookmarked or public")
    access.require(Action.SHARE if field == "public" else Action.ANNOTATE)
    await _existing(ctx, access.project.id, trace_id)
    await ctx.pipeline.submit([trace_flag(access.project.id, trace_id, field, form.get("on") == "1")])
    return RedirectResponse(_back(request, access.project.id, trace_id), status_code=303)


@dataclass(frozen=True, slots=True)
class PublicTracePage:
    project_id: str
    view: TraceView
    base_url: str
    media_url: str


@router.get("/public/{project_id}/traces/{trace_id:path}")
async def public_trace(
    request: Request,
    project_id: str,
    trace_id: str,
    ctx: Ctx,
) -> Response:
    """A trace its owner made public, read-only and without sign-in; 404 (not 403) otherwise, revealing nothing."""
    try:
        view = await trace_view(ctx.store, project_id, trace_id, request.query_params.get("observation"))
    except NotFound:
        view = None
    if view is None or not view.trace.public:
        raise WebError(404, "no public trace here")
    return render(
        request,
        "traces/public.html",
        PublicTracePage(
            project_id,
            public_view(view),
            f"/public/{project_id}/traces/{quote(trace_id)}",
            f"/public/{project_id}/media/{{id}}?trace={quote(trace_id, safe='')}",
        ),
    )


def score_target(score: Score) -> str:
    return f"observation {score.observation_id}" if score.observation_id else "trace"
