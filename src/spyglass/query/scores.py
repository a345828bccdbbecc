"""What the public score lists add to stored scores: the fields of each score's trace (Langfuse's `trace` group)."""

from __future__ import annotations

from collections.abc import Iterable

from spyglass.domain.filters import Condition
from spyglass.domain.model import Score, Trace
from spyglass.store.base import PageRequest, Store, TraceFilter


async def score_traces(store: Store, project_id: str, scores: Iterable[Score]) -> dict[str, Trace]:
    """trace id -> trace, for the traces the scores are on (one query for the page)."""
    ids = tuple(sorted({s.trace_id for s in scores if s.trace_id}))
    if not ids:
        return {}
    by_id = Condition("id", "any of", ids, type="stringOptions")
    page = await store.list_traces(project_id, TraceFilter(conditions=(by_id,)), PageRequest(1, len(ids)))
    return {trace.id: trace for trace in page.items}
