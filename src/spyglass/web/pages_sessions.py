"""Session and user pages: lists, the conversation replay, one user's sessions and traces."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from starlette.responses import Response

from spyglass.domain.annotation import AnnotationQueue
from spyglass.domain.comments import CommentObjectType
from spyglass.domain.listing import TraceRow, UserSummary
from spyglass.query.sessions import SessionReplay, SessionRow, list_sessions, list_users, session_replay, sessions_of
from spyglass.query.sessions import user_traces as query_user_traces
from spyglass.query.traces import decode_cursor, encode_cursor
from spyglass.store.base import NotFound
from spyglass.web.auth import Access, Ctx, WebError
from spyglass.web.evaluation_panels import CommentThread, comment_thread, writable_queues
from spyglass.web.filters import page_size
from spyglass.web.render import render

router = APIRouter()


@dataclass(frozen=True, slots=True)
class SessionsPage:
    project_id: str
    rows: tuple[SessionRow, ...]
    next_cursor: str | None
    cursor: str | None


@dataclass(frozen=True, slots=True)
class SessionPage:
    project_id: str
    replay: SessionReplay
    comments: CommentThread | None = None  # templates/_comments.html
    queues: tuple[AnnotationQueue, ...] = ()  # templates/_add_to_queue.html


@dataclass(frozen=True, slots=True)
class UsersPage:
    project_id: str
    users: tuple[UserSummary, ...]
    next_cursor: str | None
    cursor: str | None


@dataclass(frozen=True, slots=True)
class UserPage:
    project_id: str
    user_id: str
    session_ids: tuple[str, ...]
    traces: tuple[TraceRow, ...]
    more_traces: str | None


@router.get("/project/{project_id}/sessions")
async def sessions(request: Request, access: Access, ctx: Ctx) -> Response:
    raw = request.query_params.get("cursor")
    try:
        listed = await list_sessions(ctx.store, access.project.id, decode_cursor(raw), page_size(request.query_params))
    except ValueError as exc:
        raise WebError(400, str(exc)) from None
    page = SessionsPage(access.project.id, listed.rows, encode_cursor(listed.next_cursor), raw)
    return render(request, "sessions/list.html", page, access=access)


@router.get("/project/{project_id}/sessions/{session_id:path}")
async def session(
    request: Request,
    session_id: str,
    access: Access,
    ctx: Ctx,
) -> Response:
    try:
        replay = await session_replay(ctx.store, access.project.id, session_id)
    except NotFound:
        raise WebError(404, f"session {session_id!r} not found in this project") from None
    thread = await comment_thread(ctx.store, access, CommentObjectType.SESSION, replay.session.id)
    page = SessionPage(access.project.id, replay, thread, await writable_queues(ctx.store, access))
    return render(request, "sessions/detail.html", page, access=access)


@router.get("/project/{project_id}/users")
async def users(request: Request, access: Access, ctx: Ctx) -> Response:
    raw = request.query_params.get("cursor")
    try:
        listed = await list_users(ctx.store, access.project.id, decode_cursor(raw), page_size(request.query_params))
    except ValueError as exc:
        raise WebError(400, str(exc)) from None
    view = UsersPage(access.project.id, listed.items, encode_cursor(listed.next_cursor), raw)
    return render(request, "users/list.html", view, access=access)


@router.get("/project/{project_id}/users/{user_id:path}")
async def user(
    request: Request,
    user_id: str,
    access: Access,
    ctx: Ctx,
) -> Response:
    listed = await query_user_traces(ctx.store, access.project.id, user_id)
    if not listed.items:
        raise WebError(404, f"no traces of user {user_id!r} in this project")
    view = UserPage(access.project.id, user_id, sessions_of(listed.items), listed.items,
                    encode_cursor(listed.next_cursor))  # fmt: skip
    return render(request, "users/detail.html", view, access=access)
