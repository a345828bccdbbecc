"""Traces for the UI: the keyset-paged table, and one trace as a tree with a timeline and its scores.

No SQL here; see store/. Durations are seconds; timeline positions are fractions of the trace's span (0..1).
"""

from __future__ import annotations

import base64
import binascii
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime

import orjson

from spyglass.domain.cursor_pages import cursor_fits
from spyglass.domain.listing import Cursor, RowPage, TraceQuery, TraceRow
from spyglass.domain.model import Observation, Score, Trace
from spyglass.store.base import Store

_SLIVER = 0.006  # the narrowest bar, so an instant event still shows
MAX_DEPTH = 200  # a parent chain deeper than this is shown flat rather than recursed into


def encode_cursor(cursor: Cursor | None) -> str | None:
    if cursor is None:
        return None
    return base64.urlsafe_b64encode(orjson.dumps([cursor.value, cursor.id])).decode().rstrip("=")


def decode_cursor(text: str | None) -> Cursor | None:
    """The cursor in a page link; raises ValueError for one that was not made by encode_cursor."""
    if not text:
        return None
    try:
        value, ident = orjson.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (binascii.Error, ValueError, TypeError):
        raise ValueError("the page cursor is not valid: start again from the first page") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not isinstance(ident, str):
        raise ValueError("the page cursor is not valid: start again from the first page")
    if not cursor_fits(value, ident):
        raise ValueError("the page cursor is not valid: start again from the first page")
    return Cursor(float(value), ident)


async def list_traces(
    store: Store, project_id: str, query: TraceQuery, cursor: Cursor | None, limit: int = 50
) -> RowPage[TraceRow]:
    """One page of the traces table (search text of any length matches any part of input or output)."""
    return await store.list_trace_rows(project_id, query, cursor, limit)


@dataclass(frozen=True, slots=True)
class TreeNode:
    id: str
    type: str
    name: str | None
    level: str
    depth: int
    start_time: datetime
    duration_seconds: float | None
    offset: float  # where the bar starts, as a fraction of the trace's span
    width: float  # the bar's length, as a fraction (at least a sliver, so instant events show)
    model: str | None
    total_cost: float | None
    total_tokens: int
    children: tuple[TreeNode, ...]


@dataclass(frozen=True, slots=True)
class TraceView:
    trace: Trace
    tree: tuple[TreeNode, ...]
    flat: tuple[TreeNode, ...]  # the tree in display order, for the timeline
    span_seconds: float
    selected: Observation | None
    scores: tuple[Score, ...]
    observation_scores: tuple[Score, ...]


def _span(observations: tuple[Observation, ...], trace: Trace) -> tuple[datetime, float]:
    starts = [o.start_time for o in observations] or [trace.timestamp]
    ends = [o.end_time or o.start_time for o in observations] or [trace.timestamp]
    start = min(starts)
    return start, max((max(ends) - start).total_seconds(), 1e-6)


def build_tree(observations: tuple[Observation, ...], trace: Trace) -> tuple[tuple[TreeNode, ...], float]:
    """Observations nested under their parents, siblings by start time. An observation whose parent is missing
    (not received yet, or a cycle) becomes a root, so nothing is ever hidden."""
    start, span = _span(observations, trace)
    ids = {o.id for o in observations}
    children: dict[str | None, list[Observation]] = defaultdict(list)
    for obs in observations:
        parent = obs.parent_observation_id if obs.parent_observation_id in ids else None
        children[None if parent == obs.id else parent].append(obs)
    placed: set[str] = set()

    def node(obs: Observation, depth: int) -> TreeNode:
        placed.add(obs.id)
        kids = children.get(obs.id, []) if depth < MAX_DEPTH else []
        offset = (obs.start_time - start).total_seconds() / span
        duration = obs.latency_seconds
        return TreeNode(
            id=obs.id, type=obs.type, name=obs.name, level=obs.level, depth=depth, start_time=obs.start_time,
            duration_seconds=duration, offset=max(0.0, min(offset, 1.0 - _SLIVER)),
            width=max(_SLIVER, min((duration or 0) / span, 1.0 - max(0.0, offset))), model=obs.model,
            total_cost=obs.cost_details.get("total") if obs.cost_details else None,
            total_tokens=sum(v for k, v in obs.usage_details.items() if k == "total") or sum(
                v for k, v in obs.usage_details.items() if k in ("input", "output")),
            children=tuple(node(k, depth + 1) for k in sorted(kids, key=lambda o: (o.start_time, o.id))
                           if k.id not in placed),
        )  # fmt: skip

    roots = [node(o, 0) for o in sorted(children.get(None, []), key=lambda o: (o.start_time, o.id))]
    # Cycles (a -> b -> a) have no root: show each member as a root of its own.
    roots += [node(o, 0) for o in observations if o.id not in placed]
    return tuple(roots), span


def flatten(nodes: tuple[TreeNode, ...]) -> tuple[TreeNode, ...]:
    out: list[TreeNode] = []
    stack = list(reversed(nodes))
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(reversed(current.children))
    return tuple(out)


async def trace_view(store: Store, project_id: str, trace_id: str, selected_id: str | None) -> TraceView:
    """The trace with its tree; `selected_id` picks the observation shown in full (raises NotFound)."""
    detail = await store.get_trace(project_id, trace_id)
    tree, span = build_tree(detail.observations, detail.trace)
    selected = next((o for o in detail.observations if o.id == selected_id), None)
    trace_scores = tuple(s for s in detail.scores if s.observation_id is None)
    observation_scores = tuple(s for s in detail.scores if s.observation_id is not None)
    return TraceView(detail.trace, tree, flatten(tree), span, selected, trace_scores, observation_scores)


def public_view(view: TraceView) -> TraceView:
    """What a public link shows: the trace, not the team's notes. Annotation scores are left out, and no score
    carries its comment, metadata or author (a user id of this instance)."""

    def bare(scores: tuple[Score, ...]) -> tuple[Score, ...]:
        return tuple(
            replace(s, comment=None, metadata=None, author_user_id=None) for s in scores if s.source != "ANNOTATION"
        )

    return replace(view, scores=bare(view.scores), observation_scores=bare(view.observation_scores))
