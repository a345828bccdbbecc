"""`POST /api/public/ingestion`: the Langfuse batch door (2.x SDK; scores from 3.x/4.x).

Answers 207 with per-item `successes` and `errors` only after the accepted events are committed. Items listed as
errors will never succeed (the SDK resends the whole batch when `errors` is non-empty).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from spyglass.api.auth import project_id
from spyglass.api.body import read_json
from spyglass.api.context import AppContext, context
from spyglass.api.responses import Json
from spyglass.ingest.langfuse import Limits, parse_batch
from spyglass.ingest.score_configs import batch_config_ids

router = APIRouter()


@router.post("/ingestion")
async def ingestion(
    request: Request,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
) -> Json:
    payload = await read_json(request, ctx.settings.max_body_bytes)
    configs = await ctx.score_configs.resolve(ctx.store.evaluation, project, batch_config_ids(payload))
    parsed = parse_batch(payload, project, Limits(max_value_bytes=ctx.settings.max_value_bytes), configs)
    parsed.refuse_events(await ctx.pipeline.submit(parsed.events, per_event=True))
    successes: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for result in parsed.results:
        if result.status < 400:
            successes.append({"id": result.id, "status": result.status})
        else:
            errors.append({"id": result.id, "status": result.status, "message": result.message,
                           "error": result.message})  # fmt: skip
    return Json({"successes": successes, "errors": errors}, status_code=207)
