"""create_app: routes, lifespan and error mapping. Wiring only."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from spyglass import __version__, web
from spyglass.api import errors
from spyglass.api import otlp as otlp_routes
from spyglass.api.context import AppContext
from spyglass.api.public import (
    annotation_queues,
    comments,
    dataset_items,
    dataset_runs,
    datasets,
    experiments,
    health,
    ingestion,
    observations,
    observations_v2,
    score_configs,
    scores,
    scores_v3,
    sessions,
    traces,
)
from spyglass.api.public import media as media_routes
from spyglass.api.public import metrics as metric_routes
from spyglass.api.public import models as model_routes
from spyglass.api.public import prompts as prompt_routes
from spyglass.config import Settings
from spyglass.guard import Guard
from spyglass.ingest.pipeline import Pipeline
from spyglass.retention import RetentionJob
from spyglass.store.base import Store
from spyglass.store.blobs import open_blobs

log = logging.getLogger("spyglass")


def create_app(settings: Settings, store: Store) -> FastAPI:
    """The ASGI app over an opened (and migrated) store. The lifespan starts and drains the write pipeline."""
    pipeline = Pipeline(store, max_queued_events=settings.max_queued_events, max_group_events=settings.max_group_events)
    blobs = open_blobs(settings.media_url, settings.media_dir)
    retention = RetentionJob(store, blobs, settings.retention_interval_seconds)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pipeline.start()
        retention.start()
        try:
            yield
        finally:
            await retention.stop()
            await pipeline.stop()

    # No /api/docs: Swagger UI would load its script from a CDN. The schema itself stays at /api/openapi.json.
    app = FastAPI(title="Spyglass", version=__version__, lifespan=lifespan, docs_url=None,
                  openapi_url="/api/openapi.json", redoc_url=None)  # fmt: skip
    app.state.ctx = AppContext(settings=settings, store=store, pipeline=pipeline, blobs=blobs)
    errors.install(app)

    public = APIRouter(prefix="/api/public")
    public.include_router(health.open_router)
    for module in (health, ingestion, traces, observations, scores, sessions):
        public.include_router(module.router)
    public.include_router(prompt_routes.router)
    public.include_router(model_routes.router)
    public.include_router(metric_routes.router)
    public.include_router(observations_v2.router)
    public.include_router(scores_v3.router)
    public.include_router(media_routes.router)
    public.include_router(media_routes.signed_router)
    for module in (score_configs, annotation_queues, comments, datasets, dataset_items, dataset_runs, experiments):
        public.include_router(module.router)
    app.include_router(public)
    app.include_router(otlp_routes.router)
    web.install(app)  # the UI at /, after the API routes
    app.add_middleware(Guard)  # NUL-free URLs everywhere; the browser security headers on every UI response
    return app
