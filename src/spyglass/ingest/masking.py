"""Masking on the way in: each project's masking rules applied to events before they are queued for the store.

Both doors (Langfuse batches and OTLP) and the UI's own writes submit through the pipeline, which calls `mask` on
every request, so masked text never reaches the database file, the write-ahead log or the search index. Policies are
read from the store and kept for `ttl` seconds (a change applies within that time, on every replica).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import orjson

from spyglass.domain.events import Event, ObservationUpsert, ScoreUpsert, TraceUpsert
from spyglass.domain.masking import Masker
from spyglass.store.base import Store

# Stored as JSON text (input, output) or as JSON values (metadata, comment).
_TEXT_FIELDS = ("input", "output")
_VALUE_FIELDS = ("metadata", "comment")


class Masking:
    def __init__(self, store: Store, ttl: float = 5.0) -> None:
        self._store = store
        self._ttl = ttl
        self._maskers: dict[str, tuple[Masker, float]] = {}

    def forget(self, project_id: str) -> None:
        """Drop the cached rules of a project (this replica changed its policy)."""
        self._maskers.pop(project_id, None)

    async def _masker(self, project_id: str) -> Masker:
        hit = self._maskers.get(project_id)
        if hit is not None and hit[1] > time.monotonic():
            return hit[0]
        masker = Masker(await self._store.get_data_policy(project_id))
        if len(self._maskers) > 10_000:
            self._maskers.clear()
        self._maskers[project_id] = (masker, time.monotonic() + self._ttl)
        return masker

    async def mask(self, events: Sequence[Event]) -> Sequence[Event]:
        """`events` with the rules of their projects applied (the same objects where a project masks nothing)."""
        projects = {e.project_id for e in events}
        maskers = {p: m for p in projects if (m := await self._masker(p))}
        if not maskers:
            return events
        return [_masked(e, maskers[e.project_id]) if e.project_id in maskers else e for e in events]


def _masked(event: Event, masker: Masker) -> Event:
    if isinstance(event, ScoreUpsert):
        return replace(event, fields=_masked_fields(event.fields, masker))
    if isinstance(event, TraceUpsert | ObservationUpsert):
        # Weak values too: a trace takes its root observation's input and output as weak ones.
        return replace(event, fields=_masked_fields(event.fields, masker), weak=_masked_fields(event.weak, masker))
    return event


def _masked_fields(fields: dict[str, Any], masker: Masker) -> dict[str, Any]:
    if not any(name in fields for name in (*_TEXT_FIELDS, *_VALUE_FIELDS)):
        return fields
    out = dict(fields)
    for name in _TEXT_FIELDS:
        if isinstance(out.get(name), str):
            masked = masker.value(orjson.loads(out[name]))
            out[name] = orjson.dumps(masked, option=orjson.OPT_NON_STR_KEYS).decode()
    for name in _VALUE_FIELDS:
        if out.get(name) is not None:
            out[name] = masker.value(out[name])
    return out
