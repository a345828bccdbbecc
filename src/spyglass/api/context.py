"""What the HTTP layer shares: settings, the store, the pipeline, and the API key cache."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from fastapi import Request

from spyglass.config import Settings
from spyglass.ingest.pipeline import Pipeline
from spyglass.ingest.score_configs import ScoreConfigCache
from spyglass.store.base import Store
from spyglass.store.blobs import Blobs


@dataclass(slots=True)
class KeyCache:
    """Verified (public, secret) pairs -> project id, for `ttl` seconds, so a revoked key stops within `ttl`."""

    ttl: float = 10.0
    entries: dict[tuple[str, str], tuple[str, float]] = field(default_factory=dict)

    def get(self, public: str, secret: str) -> str | None:
        hit = self.entries.get((public, secret))
        if hit is None or hit[1] < time.monotonic():
            return None
        return hit[0]

    def put(self, public: str, secret: str, project_id: str) -> None:
        if len(self.entries) > 10_000:
            self.entries.clear()
        self.entries[(public, secret)] = (project_id, time.monotonic() + self.ttl)

    def forget(self, public: str) -> None:
        for key in [k for k in self.entries if k[0] == public]:
            del self.entries[key]


@dataclass(slots=True)
class AppContext:
    settings: Settings
    store: Store
    pipeline: Pipeline
    blobs: Blobs
    keys: KeyCache = field(default_factory=KeyCache)
    signing_secret: bytes | None = None  # for signed media URLs (api/signed_urls.py), derived from the store's secret
    score_configs: ScoreConfigCache = field(default_factory=ScoreConfigCache)


async def context(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx
