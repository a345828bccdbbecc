"""Sessions and users for the UI: lists with score badges, a session replayed turn by turn, a user's activity.

No SQL here; see store/. Each turn is one trace of the session, oldest first.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from spyglass.domain.listing import Cursor, RowPage, ScoreBadge, TraceQuery, TraceRow, UserSummary
from spyglass.domain.model import Score, Session
from spyglass.query.content import ChatMessage, assistant_text, chat_messages, last_user_text
from spyglass.store.base import PageRequest, ScoreFilter, Store


@dataclass(frozen=True, slots=True)
class SessionRow:
    session: Session
    duration_seconds: float
    scores: tuple[ScoreBadge, ...]


@dataclass(frozen=True, slots=True)
class SessionList:
    rows: tuple[SessionRow, ...]
    next_cursor: Cursor | None


@dataclass(frozen=True, slots=True)
class Turn:
    """One trace of a session as a turn: the question asked and the answer given, when they read as text."""

    trace_id: str
    timestamp: datetime
    name: str | None
    user_id: str | None
    question: str | None
    answer: str | None
    input: Any
    output: Any
    messages: tuple[ChatMessage, ...] | None
    latency_seconds: float
    total_cost: float
    total_tokens: int
    level: str
    scores: tuple[Score, ...]


@dataclass(frozen=True, slots=True)
class SessionReplay:
    session: Session
    duration_seconds: float
    turns: tuple[Turn, ...]
    scores: tuple[Score, ...]  # scores on the session itself


async def list_sessions(store: Store, project_id: str, cursor: Cursor | None, limit: int = 50) -> SessionList:
    """Sessions by their latest trace, newest first, with score badges (keyset-paged)."""
    listed = await store.list_recent_sessions(project_id, cursor, limit)
    badges = await store.session_score_badges(project_id, [s.id for s in listed.items])
    rows = tuple(
        SessionRow(s, _duration(s.first_trace_at, s.last_trace_at), tuple(badges.get(s.id, ()))) for s in listed.items
    )
    return SessionList(rows, listed.next_cursor)


def _duration(first: datetime | None, last: datetime | None) -> float:
    return (last - first).total_seconds() if first and last else 0.0


async def _all_scores(store: Store, project_id: str, flt: ScoreFilter) -> list[Score]:
    found: list[Score] = []
    page = 1
    while True:
        listed = await store.list_scores(project_id, flt, PageRequest(page=page, limit=1000))
        found.extend(listed.items)
        if page >= listed.total_pages or page >= 20:
            return found
        page += 1


async def session_replay(store: Store, project_id: str, session_id: str) -> SessionReplay:
    """The session's traces as turns, oldest first, each with its scores. Raises NotFound."""
    detail = await store.get_session(project_id, session_id)
    by_trace: dict[str, list[Score]] = defaultdict(list)
    for trace in detail.traces:
        for score in await _all_scores(store, project_id, ScoreFilter(trace_id=trace.id)):
            by_trace[trace.id].append(score)
    own = await _all_scores(store, project_id, ScoreFilter(session_id=session_id))
    turns = tuple(
        Turn(
            trace_id=t.id,
            timestamp=t.timestamp,
            name=t.name,
            user_id=t.user_id,
            question=last_user_text(t.input),
            answer=assistant_text(t.output),
            input=t.input,
            output=t.output,
            messages=chat_messages(t.input),
            latency_seconds=t.rollup.latency_seconds,
            total_cost=t.rollup.total_cost,
            total_tokens=t.rollup.total_tokens,
            level=t.rollup.level,
            scores=tuple(by_trace.get(t.id, ())),
        )
        for t in detail.traces
    )
    s = detail.session
    return SessionReplay(s, _duration(s.first_trace_at, s.last_trace_at), turns,
                         tuple(x for x in own if x.trace_id is None))  # fmt: skip


@dataclass(frozen=True, slots=True)
class UserActivity:
    user_id: str
    traces: tuple[TraceRow, ...]
    session_ids: tuple[str, ...]
    next_cursor: str | None


async def list_users(store: Store, project_id: str, cursor: Cursor | None, limit: int = 50) -> RowPage[UserSummary]:
    """Users by last seen, newest first (keyset-paged)."""
    return await store.list_recent_users(project_id, cursor, limit)


async def user_traces(store: Store, project_id: str, user_id: str, limit: int = 100) -> RowPage[TraceRow]:
    """The user's latest traces (their sessions are read off these)."""
    return await store.list_trace_rows(project_id, TraceQuery(user_id=user_id), None, limit)


def sessions_of(rows: tuple[TraceRow, ...]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for row in rows:
        if row.session_id:
            seen.setdefault(row.session_id, None)
    return tuple(seen)
