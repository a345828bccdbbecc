"""`/api/public/v2/prompts`: create versions, get by version or label, list, set labels, delete, and the generations
linked to a prompt version.

Names may contain '/' (prompt folders): 2.x sends it raw, 5.x as %2F. The ASGI server percent-decodes the path
exactly once before routing, so `{name:path}` parameters hold the real name either way. The routes with a
`/versions/{version}` suffix are registered before the bare `{name:path}` ones so they win.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.routing import APIRoute
from starlette.responses import Response

from spyglass.api.auth import project_id
from spyglass.api.body import read_json
from spyglass.api.context import AppContext, context
from spyglass.api.errors import ApiError
from spyglass.api.params import page_request, timestamp
from spyglass.api.responses import Json
from spyglass.api.wire import iso, observation_to_wire, page_meta, score_to_wire
from spyglass.domain.prompts import (
    PRODUCTION,
    InvalidPrompt,
    Prompt,
    PromptFilter,
    PromptGeneration,
    PromptMeta,
    PromptUsage,
    new_prompt,
    validate_label,
    validate_labels,
    without_placeholders,
)
from spyglass.query.observations import PromptRef, prompt_id, prompt_ids
from spyglass.store.base import NotFound


class _PromptRoute(APIRoute):
    """Maps InvalidPrompt to 400 and NotFound to Langfuse's 404 body, which every SDK turns into its fallback path."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except InvalidPrompt as exc:
                raise ApiError(400, str(exc)) from None
            except NotFound as exc:
                raise ApiError(404, str(exc.args[0]) if exc.args else "Prompt not found",
                               error="LangfuseNotFoundError") from None  # fmt: skip

        return route


router = APIRouter(route_class=_PromptRoute)

_MAX_VERSION = 2**31 - 1


def _checked_version(version: int | None) -> int | None:
    """Versions are 1, 2, ...; anything else is a 400 (and a huge number must not reach SQLite's 64-bit integers)."""
    if version is not None and not 1 <= version <= _MAX_VERSION:
        raise ApiError(400, f"version must be a whole number from 1 to {_MAX_VERSION}, got {version}")
    return version


# --- wire shapes ---


def _without_placeholders_for(request: Request) -> bool:
    """SDKs before 3.x (Python 2.x: `ChatMessage` needs role and content) fail to parse placeholder messages."""
    version = request.headers.get("x-langfuse-sdk-version", "")
    major = version.split(".", 1)[0]
    return major.isdigit() and int(major) < 3


def prompt_to_wire(prompt: Prompt, *, placeholders: bool = True) -> dict[str, Any]:
    """Langfuse's prompt object. `type` and the `config` key are required by 5.x; 2.x needs the rest."""
    body: Any = prompt.prompt
    if isinstance(body, list) and not placeholders:
        body = without_placeholders(body)
    return {
        "id": prompt.id,
        "projectId": prompt.project_id,
        "name": prompt.name,
        "version": prompt.version,
        "type": prompt.type.value,
        "prompt": body,
        "config": prompt.config,
        "labels": list(prompt.labels),
        "tags": list(prompt.tags),
        "commitMessage": prompt.commit_message,
        "resolutionGraph": None,
        "createdBy": prompt.created_by or "API",
        "createdAt": iso(prompt.created_at),
        "updatedAt": iso(prompt.updated_at),
    }


def _meta_to_wire(meta: PromptMeta) -> dict[str, Any]:
    return {
        "name": meta.name,
        "type": meta.type.value,
        "versions": list(meta.versions),
        "labels": list(meta.labels),
        "tags": list(meta.tags),
        "lastUpdatedAt": iso(meta.last_updated_at),
        "lastConfig": meta.last_config,
    }


def _usage_to_wire(usage: PromptUsage) -> dict[str, Any]:
    return {
        "name": usage.name,
        "version": usage.version,
        "generationCount": usage.generation_count,
        "traceCount": usage.trace_count,
        "latency": {"average": usage.average_latency, "p50": usage.p50_latency, "p95": usage.p95_latency},
        "inputTokens": usage.input_tokens,
        "outputTokens": usage.output_tokens,
        "totalTokens": usage.total_tokens,
        "totalCost": usage.total_cost,
        "firstUsedAt": iso(usage.first_used_at),
        "lastUsedAt": iso(usage.last_used_at),
        "scores": [{"name": s.name, "target": s.target, "count": s.count, "average": s.average} for s in usage.scores],
    }


def _generation_to_wire(item: PromptGeneration, prompts: dict[PromptRef, str]) -> dict[str, Any]:
    return {
        **observation_to_wire(item.observation, prompt_id(prompts, item.observation)),
        "scores": [score_to_wire(s) for s in item.scores],
        "traceScores": [score_to_wire(s) for s in item.trace_scores],
    }


# --- routes ---


@router.post("/v2/prompts")
async def create_prompt(
    request: Request,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
) -> Json:
    body = await read_json(request, ctx.settings.max_body_bytes)
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object with name, prompt and type")
    new = new_prompt(
        name=body.get("name"), prompt=body.get("prompt"), type=body.get("type"), config=body.get("config"),
        labels=body.get("labels"), tags=body.get("tags"), commit_message=body.get("commitMessage"), created_by="API",
    )  # fmt: skip
    prompt = await ctx.store.create_prompt(project, new)
    return Json(prompt_to_wire(prompt, placeholders=not _without_placeholders_for(request)), status_code=201)


@router.get("/v2/prompts")
async def list_prompts(
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
    name: str | None = None,
    label: str | None = None,
    tag: str | None = None,
    page: int | None = None,
    limit: int | None = None,
    fromUpdatedAt: str | None = None,
    toUpdatedAt: str | None = None,
) -> dict[str, Any]:
    flt = PromptFilter(
        name=name, label=label, tag=tag, from_updated_at=timestamp("fromUpdatedAt", fromUpdatedAt),
        to_updated_at=timestamp("toUpdatedAt", toUpdatedAt),
    )  # fmt: skip
    result = await ctx.store.list_prompts(project, flt, page_request(page, limit))
    return {"data": [_meta_to_wire(m) for m in result.items], "meta": page_meta(result)}


@router.get("/v2/prompts/{name:path}/versions/{version}/generations")
async def list_prompt_generations(
    name: str,
    version: int,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
    page: int | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """The generations that used this prompt version, with a roll-up: count, latency (s), tokens, cost, scores."""
    _checked_version(version)
    usage = await ctx.store.prompt_usage(project, name, version)
    result = await ctx.store.list_prompt_generations(project, name, version, page_request(page, limit))
    prompts = await prompt_ids(ctx.store, project, [g.observation for g in result.items])
    return {
        "usage": _usage_to_wire(usage),
        "data": [_generation_to_wire(g, prompts) for g in result.items],
        "meta": page_meta(result),
    }


@router.patch("/v2/prompts/{name:path}/versions/{version}")
async def update_prompt_labels(
    name: str,
    version: int,
    request: Request,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
) -> dict[str, Any]:
    """`{"newLabels": [...]}` adds labels to the version (each moves off the version that had it); an optional
    `removeLabels` list takes labels off it. `latest` is managed by the server."""
    body = await read_json(request, ctx.settings.max_body_bytes)
    if not isinstance(body, dict) or "newLabels" not in body:
        raise ApiError(400, 'the body must be a JSON object like {"newLabels": ["production"]}')
    _checked_version(version)
    add = validate_labels(body.get("newLabels"), "newLabels")
    remove = validate_labels(body.get("removeLabels"), "removeLabels")
    prompt = await ctx.store.update_prompt_labels(project, name, version, add, remove)
    return prompt_to_wire(prompt, placeholders=not _without_placeholders_for(request))


@router.get("/v2/prompts/{name:path}")
async def get_prompt(
    name: str,
    request: Request,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
    version: int | None = None,
    label: str | None = None,
) -> dict[str, Any]:
    """By `version`, else by `label`, else the version labelled `production`."""
    if version is not None and label is not None:
        raise ApiError(400, "pass either version or label, not both")
    _checked_version(version)
    if version is None:
        label = validate_label(label or PRODUCTION)
    prompt = await ctx.store.get_prompt(project, name, version=version, label=label)
    return prompt_to_wire(prompt, placeholders=not _without_placeholders_for(request))


@router.delete("/v2/prompts/{name:path}")
async def delete_prompt(
    name: str,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
    version: int | None = None,
    label: str | None = None,
) -> Response:
    """Delete one version (`version`), the version holding `label`, or with neither the whole prompt."""
    if version is not None and label is not None:
        raise ApiError(400, "pass either version or label, not both")
    _checked_version(version)
    await ctx.store.delete_prompts(project, name, version=version, label=label)
    return Response(status_code=204)
