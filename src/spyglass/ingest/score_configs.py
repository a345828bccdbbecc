"""The score configs a door needs before it parses scores: which config ids a body names, and a per-project cache.

Scores are parsed without I/O (ingest/langfuse.py), so a door first collects the `configId`s of its body, resolves
them here, and hands the configs to the parser. The cache holds each project's configs for `ttl` seconds (so a
config changed through another replica takes effect within `ttl`) and is dropped for a project when this process
changes one of its configs.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from spyglass.domain.score_configs import ScoreConfig
from spyglass.store.base import PageRequest, ScoreConfigStore

_PAGE = 500


def batch_config_ids(payload: Any) -> set[str]:
    """The config ids named by the score-create items of a Langfuse ingestion body (anything else is ignored)."""
    batch = payload.get("batch") if isinstance(payload, Mapping) else None
    if not isinstance(batch, list):
        return set()
    return body_config_ids(
        item.get("body") for item in batch if isinstance(item, Mapping) and item.get("type") == "score-create"
    )


def body_config_ids(bodies: Iterable[Any]) -> set[str]:
    """The config ids named by score bodies."""
    return {b["configId"] for b in bodies if isinstance(b, Mapping) and isinstance(b.get("configId"), str)}


@dataclass(slots=True)
class ScoreConfigCache:
    ttl: float = 10.0
    entries: dict[str, tuple[dict[str, ScoreConfig], float]] = field(default_factory=dict)

    async def resolve(self, store: ScoreConfigStore, project_id: str, ids: set[str]) -> dict[str, ScoreConfig]:
        """The project's configs among `ids` (unknown ids are left out). Costs no query while the cache is fresh."""
        if not ids:
            return {}
        hit = self.entries.get(project_id)
        if hit is None or hit[1] < time.monotonic():
            configs = await _all_configs(store, project_id)
            if len(self.entries) > 10_000:
                self.entries.clear()
            self.entries[project_id] = (configs, time.monotonic() + self.ttl)
        else:
            configs = hit[0]
        return {i: configs[i] for i in ids if i in configs}

    def forget(self, project_id: str) -> None:
        """Call after changing a config of the project."""
        self.entries.pop(project_id, None)


async def _all_configs(store: ScoreConfigStore, project_id: str) -> dict[str, ScoreConfig]:
    out: dict[str, ScoreConfig] = {}
    page = 1
    while True:
        result = await store.list_score_configs(project_id, PageRequest(page, _PAGE))
        out.update((c.id, c) for c in result.items)
        if page >= result.total_pages:
            return out
        page += 1
