"""Annotation queue pages: the queues, one queue's items, and working through them (next item, score with the
queue's configs, comment, mark done). Members and up write; viewers read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from spyglass import evaluation
from spyglass.domain.accounts import Action
from spyglass.domain.annotation import (
    AnnotationQueue,
    InvalidQueue,
    QueueItem,
    QueueItemStatus,
    QueueObjectType,
    queue_object_type,
)
from spyglass.domain.comments import CommentObjectType
from spyglass.domain.model import Score
from spyglass.domain.score_configs import ScoreConfig
from spyglass.ingest.values import InvalidItem
from spyglass.store.base import Conflict, NotFound, PageRequest, ScoreFilter, Store
from spyglass.web.annotate import config_annotation
from spyglass.web.auth import Access, Ctx, WebError, check_csrf
from spyglass.web.evaluation_panels import CommentThread, ConfigForms, active_configs, comment_thread
from spyglass.web.pages_score_configs import back_to, form_of
from spyglass.web.render import render

router = APIRouter()
_ITEMS = 200


@dataclass(frozen=True, slots=True)
class QueueRow:
    queue: AnnotationQueue
    pending: int
    completed: int


@dataclass(frozen=True, slots=True)
class QueuesPage:
    project_id: str
    queues: tuple[QueueRow, ...]
    configs: tuple[ScoreConfig, ...]
    can_manage: bool


@dataclass(frozen=True, slots=True)
class QueuePage:
    project_id: str
    queue: AnnotationQueue
    configs: tuple[ScoreConfig, ...]
    items: tuple[QueueItem, ...]
    pending: int
    total: int


@dataclass(frozen=True, slots=True)
class QueueObject:
    """What the item points at, enough to judge it: its name, input and output, and a link to its own page."""

    kind: QueueObjectType
    id: str
    name: str | None
    input: Any
    output: Any
    url: str
    trace_id: str | None = None


@dataclass(frozen=True, slots=True)
class QueueItemPage:
    project_id: str
    queue: AnnotationQueue
    item: QueueItem
    object: QueueObject | None
    scoring: ConfigForms
    scores: tuple[Score, ...]
    comments: CommentThread
    pending: int


def _queue_url(project_id: str, queue_id: str) -> str:
    return f"/project/{project_id}/annotation-queues/{quote(queue_id)}"


async def _queue(ctx: Ctx, project_id: str, queue_id: str) -> AnnotationQueue:
    try:
        return await ctx.store.evaluation.get_queue(project_id, queue_id)
    except NotFound:
        raise WebError(404, f"annotation queue {queue_id!r} not found in this project") from None


def _pending_done(counts: dict[str, dict[QueueItemStatus, int]], queue_id: str) -> tuple[int, int]:
    found = counts.get(queue_id, {})
    return found.get(QueueItemStatus.PENDING, 0), found.get(QueueItemStatus.COMPLETED, 0)


async def _counts(ctx: Ctx, project_id: str, queue_id: str) -> tuple[int, int]:
    return _pending_done(await ctx.store.evaluation.queue_item_counts(project_id), queue_id)


@router.get("/project/{project_id}/annotation-queues")
async def queues(request: Request, access: Access, ctx: Ctx) -> Response:
    listed = await ctx.store.evaluation.list_queues(access.project.id, PageRequest(1, 200))
    counts = await ctx.store.evaluation.queue_item_counts(access.project.id)
    rows = tuple(QueueRow(q, *_pending_done(counts, q.id)) for q in listed.items)
    configs = await active_configs(ctx.store.evaluation, access.project.id)
    page = QueuesPage(access.project.id, rows, configs, access.can(Action.ANNOTATE))
    return render(request, "queues/list.html", page, access=access)


@router.post("/project/{project_id}/annotation-queues")
async def create_queue(request: Request, access: Access, ctx: Ctx) -> Response:
    await check_csrf(request, access.viewer)
    access.require(Action.ANNOTATE)
    form = await request.form()
    config_ids = [str(v) for v in form.getlist("config_id")]
    try:
        queue = await evaluation.create_queue(
            ctx.store.evaluation, access.project.id, str(form.get("name") or ""),
            str(form.get("description") or "").strip() or None, config_ids,
        )  # fmt: skip
    except InvalidQueue as exc:
        raise WebError(400, str(exc)) from None
    except Conflict:
        raise WebError(409, "a queue of that name exists in this project") from None
    return RedirectResponse(_queue_url(access.project.id, queue.id), status_code=303)


@router.post("/project/{project_id}/queue-items")
async def add_item(request: Request, access: Access, ctx: Ctx) -> Response:
    """Put a trace, observation or session into a queue (the trace page's "Add to queue")."""
    await check_csrf(request, access.viewer)
    access.require(Action.ANNOTATE)
    form = await form_of(request)
    queue_id = form.get("queue_id", "")
    try:
        kind = queue_object_type(form.get("object_type"))
        await evaluation.add_queue_item(ctx.store.evaluation, access.project.id, queue_id, kind, form.get("object_id"))
    except InvalidQueue as exc:
        raise WebError(400, str(exc)) from None
    except NotFound:
        raise WebError(404, f"annotation queue {queue_id[:80]!r} not found in this project") from None
    return RedirectResponse(back_to(form, access.project.id, _queue_url(access.project.id, queue_id)), 303)


@router.get("/project/{project_id}/annotation-queues/{queue_id}")
async def queue(request: Request, queue_id: str, access: Access, ctx: Ctx) -> Response:
    found = await _queue(ctx, access.project.id, queue_id)
    items = await ctx.store.evaluation.list_queue_items(access.project.id, queue_id, None, PageRequest(1, _ITEMS))
    pending, done = await _counts(ctx, access.project.id, queue_id)
    configs = await active_configs(ctx.store.evaluation, access.project.id, found.score_config_ids)
    page = QueuePage(access.project.id, found, configs, items.items, pending, pending + done)
    return render(request, "queues/detail.html", page, access=access)


@router.get("/project/{project_id}/annotation-queues/{queue_id}/next")
async def next_item(queue_id: str, access: Access, ctx: Ctx, skip: str = "") -> Response:
    """The oldest pending item (other than `skip`), or the queue page when none is left."""
    await _queue(ctx, access.project.id, queue_id)
    item = await evaluation.next_pending_item(ctx.store.evaluation, access.project.id, queue_id, [skip] if skip else [])
    url = _queue_url(access.project.id, queue_id)
    return RedirectResponse(f"{url}/items/{quote(item.id)}" if item else f"{url}?done=1", status_code=303)


async def _object(store: Store, project_id: str, item: QueueItem) -> QueueObject | None:
    base = f"/project/{project_id}"
    try:
        if item.object_type == QueueObjectType.TRACE:
            trace = (await store.get_trace(project_id, item.object_id)).trace
            return QueueObject(item.object_type, trace.id, trace.name, trace.input, trace.output,
                               f"{base}/traces/{quote(trace.id)}", trace.id)  # fmt: skip
        if item.object_type == QueueObjectType.OBSERVATION:
            obs = await store.get_observation(project_id, item.object_id)
            url = f"{base}/traces/{quote(obs.trace_id)}?observation={quote(obs.id)}"
            return QueueObject(item.object_type, obs.id, obs.name, obs.input, obs.output, url, obs.trace_id)
        session = await store.get_session(project_id, item.object_id)
        first, last = (session.traces[0], session.traces[-1]) if session.traces else (None, None)
        return QueueObject(item.object_type, item.object_id, f"{len(session.traces)} traces",
                           first.input if first else None, last.output if last else None,
                           f"{base}/sessions/{quote(item.object_id)}")  # fmt: skip
    except NotFound:
        return None  # deleted since it was queued


def _target(item: QueueItem, obj: QueueObject | None) -> dict[str, str]:
    if item.object_type == QueueObjectType.SESSION:
        return {"sessionId": item.object_id}
    if item.object_type == QueueObjectType.OBSERVATION:
        return {"observationId": item.object_id, **({"traceId": obj.trace_id} if obj and obj.trace_id else {})}
    return {"traceId": item.object_id}


async def _item(ctx: Ctx, project_id: str, queue_id: str, item_id: str) -> QueueItem:
    try:
        return await ctx.store.evaluation.get_queue_item(project_id, queue_id, item_id)
    except NotFound:
        raise WebError(404, f"item {item_id!r} not found in this queue") from None


@router.get("/project/{project_id}/annotation-queues/{queue_id}/items/{item_id}")
async def queue_item(request: Request, queue_id: str, item_id: str, access: Access, ctx: Ctx) -> Response:
    project_id = access.project.id
    found = await _queue(ctx, project_id, queue_id)
    item = await _item(ctx, project_id, queue_id, item_id)
    obj = await _object(ctx.store, project_id, item)
    target = _target(item, obj)
    configs = await active_configs(ctx.store.evaluation, project_id, found.score_config_ids)
    flt = ScoreFilter(trace_id=target.get("traceId") if item.object_type == QueueObjectType.TRACE else None,
                      observation_id=target.get("observationId"), session_id=target.get("sessionId"),
                      queue_ids=(queue_id,))  # fmt: skip
    scores = await ctx.store.list_scores(project_id, flt, PageRequest(1, 100))
    thread = await comment_thread(ctx.store, access, CommentObjectType(item.object_type.value), item.object_id)
    pending, _ = await _counts(ctx, project_id, queue_id)
    page = QueueItemPage(project_id, found, item, obj, ConfigForms(configs, target, access.can(Action.ANNOTATE),
                         queue_id), scores.items, thread, pending)  # fmt: skip
    return render(request, "queues/item.html", page, access=access)


@router.post("/project/{project_id}/annotation-queues/{queue_id}/items/{item_id}/score")
async def score_item(request: Request, queue_id: str, item_id: str, access: Access, ctx: Ctx) -> Response:
    """A score made in the queue: on the item's object, with one of the queue's configs, carrying the queue id."""
    await check_csrf(request, access.viewer)
    access.require(Action.ANNOTATE)
    project_id = access.project.id
    found = await _queue(ctx, project_id, queue_id)
    item = await _item(ctx, project_id, queue_id, item_id)
    form = await form_of(request)
    if form.get("config_id") not in found.score_config_ids:
        raise WebError(400, "pick one of this queue's score configs")
    config = await ctx.store.evaluation.get_score_config(project_id, form["config_id"])
    target = _target(item, await _object(ctx.store, project_id, item))
    try:
        event = config_annotation(form, config, target, access.viewer.user.id, queue_id)
    except InvalidItem as exc:
        raise WebError(400, str(exc)) from None
    await ctx.pipeline.submit([event])
    return RedirectResponse(f"{_queue_url(project_id, queue_id)}/items/{quote(item_id)}", status_code=303)


@router.post("/project/{project_id}/annotation-queues/{queue_id}/items/{item_id}/status")
async def set_status(request: Request, queue_id: str, item_id: str, access: Access, ctx: Ctx) -> Response:
    """Mark the item done (then go on to the next pending one) or pending again."""
    await check_csrf(request, access.viewer)
    access.require(Action.ANNOTATE)
    form = await form_of(request)
    status = QueueItemStatus.COMPLETED if form.get("status") != "PENDING" else QueueItemStatus.PENDING
    try:
        await evaluation.set_item_status(ctx.store.evaluation, access.project.id, queue_id, item_id, status)
    except NotFound:
        raise WebError(404, f"item {item_id!r} not found in this queue") from None
    url = _queue_url(access.project.id, queue_id)
    if status == QueueItemStatus.PENDING:
        return RedirectResponse(f"{url}/items/{quote(item_id)}", status_code=303)
    return RedirectResponse(f"{url}/next?skip={quote(item_id)}", status_code=303)
