"""Score configs in the project settings (list, create, archive), and the two forms every evaluation page posts:
a score shaped by a config, and a comment. Members and up write; viewers read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from spyglass import evaluation
from spyglass.domain.accounts import Action
from spyglass.domain.comments import InvalidComment, comment_object_type
from spyglass.domain.score_configs import InvalidScoreConfig, ScoreConfig
from spyglass.ingest.values import InvalidItem
from spyglass.store.base import NotFound, PageRequest
from spyglass.web.annotate import config_annotation
from spyglass.web.auth import Access, Ctx, WebError, check_csrf
from spyglass.web.render import render

router = APIRouter()


@dataclass(frozen=True, slots=True)
class ScoreConfigsPage:
    project_id: str
    configs: tuple[ScoreConfig, ...]
    can_manage: bool
    data_types: tuple[str, ...] = ("NUMERIC", "CATEGORICAL", "BOOLEAN")


async def form_of(request: Request) -> dict[str, str]:
    return {k: v for k, v in (await request.form()).items() if isinstance(v, str)}


def back_to(form: dict[str, str], project_id: str, fallback: str) -> str:
    """The page a form came from (its `back` field), if it is one of this project's pages."""
    back = form.get("back", "")
    prefix = f"/project/{project_id}/"
    return back if back.startswith(prefix) and "//" not in back and "\\" not in back else fallback


def _categories(text: str) -> list[dict[str, Any]]:
    """`label=value` per line (or `label` alone: values count up from 0)."""
    out: list[dict[str, Any]] = []
    for index, line in enumerate(line for line in text.splitlines() if line.strip()):
        label, sep, raw = line.rpartition("=") if "=" in line else (line, "", str(index))
        try:
            value = float(raw.strip())
        except ValueError:
            raise WebError(400, f"category line {line.strip()[:40]!r}: the value after '=' must be a number") from None
        out.append({"label": (label if sep else line).strip(), "value": value})
    return out


def _number(form: dict[str, str], key: str) -> float | None:
    raw = form.get(key, "").strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise WebError(400, f"{key} must be a number, got {raw[:40]!r}") from None


@router.get("/project/{project_id}/settings/score-configs")
async def score_configs(request: Request, access: Access, ctx: Ctx) -> Response:
    listed = await ctx.store.evaluation.list_score_configs(access.project.id, PageRequest(1, 1000))
    page = ScoreConfigsPage(access.project.id, listed.items, access.can(Action.ANNOTATE))
    return render(request, "settings/score_configs.html", page, access=access)


@router.post("/project/{project_id}/settings/score-configs")
async def create_score_config(request: Request, access: Access, ctx: Ctx) -> Response:
    await check_csrf(request, access.viewer)
    access.require(Action.ANNOTATE)
    form = await form_of(request)
    body: dict[str, Any] = {"name": form.get("name", ""), "dataType": form.get("data_type", ""),
                            "minValue": _number(form, "min_value"), "maxValue": _number(form, "max_value"),
                            "description": form.get("description", "").strip() or None}  # fmt: skip
    if form.get("categories", "").strip():
        body["categories"] = _categories(form["categories"])
    try:
        await evaluation.create_score_config(ctx.store.evaluation, ctx.score_configs, access.project.id, body)
    except InvalidScoreConfig as exc:
        raise WebError(400, str(exc)) from None
    return RedirectResponse(f"/project/{access.project.id}/settings/score-configs", status_code=303)


@router.post("/project/{project_id}/settings/score-configs/{config_id}/archive")
async def archive_score_config(request: Request, config_id: str, access: Access, ctx: Ctx) -> Response:
    await check_csrf(request, access.viewer)
    access.require(Action.ANNOTATE)
    archived = (await form_of(request)).get("archived") == "1"
    try:
        await evaluation.update_score_config(
            ctx.store.evaluation, ctx.score_configs, access.project.id, config_id, {"isArchived": archived}
        )
    except NotFound:
        raise WebError(404, f"score config {config_id!r} not found in this project") from None
    return RedirectResponse(f"/project/{access.project.id}/settings/score-configs", status_code=303)


@router.post("/project/{project_id}/config-scores")
async def add_config_score(request: Request, access: Access, ctx: Ctx) -> Response:
    """A score from a config's form on the trace page (or a queue item: see pages_queues.py)."""
    await check_csrf(request, access.viewer)
    access.require(Action.ANNOTATE)
    form = await form_of(request)
    target = {key: form[key] for key in ("traceId", "observationId", "sessionId") if form.get(key)}
    if not target:
        raise WebError(400, "the score needs a trace, observation or session")
    kind, object_id = next((k, target[k]) for k in ("observationId", "traceId", "sessionId") if k in target)
    label = {"observationId": "OBSERVATION", "traceId": "TRACE", "sessionId": "SESSION"}[kind]
    if not await ctx.store.evaluation.object_exists(access.project.id, label, object_id):
        raise WebError(404, f"no {label.lower()} {object_id[:80]!r} in this project")
    try:
        config = await ctx.store.evaluation.get_score_config(access.project.id, form.get("config_id", ""))
    except NotFound:
        raise WebError(400, "pick a score config of this project") from None
    try:
        event = config_annotation(form, config, target, access.viewer.user.id)
    except InvalidItem as exc:
        raise WebError(400, str(exc)) from None
    await ctx.pipeline.submit([event])
    return RedirectResponse(back_to(form, access.project.id, f"/project/{access.project.id}/traces"), 303)


@router.post("/project/{project_id}/comments")
async def add_comment(request: Request, access: Access, ctx: Ctx) -> Response:
    await check_csrf(request, access.viewer)
    access.require(Action.ANNOTATE)
    form = await form_of(request)
    try:
        await evaluation.create_comment(
            ctx.store.evaluation, access.project.id, comment_object_type(form.get("object_type")),
            form.get("object_id", ""), form.get("content", ""), access.viewer.user.id,
        )  # fmt: skip
    except InvalidComment as exc:
        raise WebError(400, str(exc)) from None
    return RedirectResponse(back_to(form, access.project.id, f"/project/{access.project.id}/traces"), 303)
