"""Model prices: the project's and the built-in definitions, which one a model name matches, add/edit/delete the
project's own (admins and owners), and re-pricing stored generations with a dry-run preview (owners).
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from spyglass.domain.accounts import Action
from spyglass.domain.costs import RecomputeReport, describe_recompute
from spyglass.domain.pricing import TOKENIZERS, UNITS, ModelDefinition, PricingError, compile_pattern
from spyglass.query.models import MatchResult, ModelRow, definitions, match_model, model_row
from spyglass.store.base import Conflict, NotFound
from spyglass.web.auth import Access, Ctx, ProjectAccess, WebError, check_csrf
from spyglass.web.filters import parse_time
from spyglass.web.model_form import ModelForm, definition_from_form, form_from_definition
from spyglass.web.render import render

router = APIRouter()


@dataclass(frozen=True, slots=True)
class RecomputeForm:
    since: str = ""
    until: str = ""
    model: str = ""


@dataclass(frozen=True, slots=True)
class RecomputeResult:
    report: RecomputeReport
    summary: str
    form: RecomputeForm


@dataclass(frozen=True, slots=True)
class ModelsPage:
    project_id: str
    project_models: tuple[ModelRow, ...]
    builtin_models: tuple[ModelRow, ...]
    match: MatchResult | None
    match_name: str
    match_at: str
    can_manage: bool
    can_recompute: bool
    recompute: RecomputeResult | None = None


@dataclass(frozen=True, slots=True)
class ModelFormPage:
    project_id: str
    model_id: str | None  # the project definition being edited; None for a new one
    builtin: ModelRow | None  # a built-in definition shown read-only (the form then overrides it)
    form: ModelForm
    units: tuple[str, ...] = UNITS
    tokenizers: tuple[str, ...] = TOKENIZERS
    error: str | None = None
    can_manage: bool = False


def _base(project_id: str) -> str:
    return f"/project/{project_id}/models"


async def _page(
    request: Request, access: ProjectAccess, ctx: Ctx, recompute: RecomputeResult | None = None
) -> ModelsPage:
    found = await definitions(ctx.store, access.project.id)
    name = request.query_params.get("match", "").strip()[:500]
    at_text = request.query_params.get("at", "").strip()
    match = match_model(access.project.id, found, name, parse_time(at_text, "at")) if name else None
    return ModelsPage(
        access.project.id, tuple(model_row(d) for d in found if not d.is_builtin),
        tuple(model_row(d) for d in found if d.is_builtin), match, name, at_text,
        access.can(Action.MANAGE_MODELS), access.can(Action.RECOMPUTE_COSTS), recompute,
    )  # fmt: skip


@router.get("/project/{project_id}/models")
async def models(request: Request, access: Access, ctx: Ctx) -> Response:
    return render(request, "models/list.html", await _page(request, access, ctx), access=access)


@router.get("/project/{project_id}/models/new")
async def new_model(request: Request, access: Access, ctx: Ctx) -> Response:
    """The form for a project definition; `?from=<id>` fills it with a built-in one to override."""
    access.require(Action.MANAGE_MODELS)
    source = request.query_params.get("from")
    form = form_from_definition(await _definition(ctx, access, source)) if source else ModelForm()
    page = ModelFormPage(access.project.id, None, None, form, can_manage=True)
    return render(request, "models/form.html", page, access=access)


async def _definition(ctx: Ctx, access: ProjectAccess, model_id: str) -> ModelDefinition:
    try:
        return await ctx.store.get_model(access.project.id, model_id)
    except NotFound:
        raise WebError(404, f"no model definition {model_id[:80]!r} in this project") from None


@router.get("/project/{project_id}/models/{model_id}")
async def model(request: Request, model_id: str, access: Access, ctx: Ctx) -> Response:
    """One definition: the edit form for a project one, read-only for a built-in one."""
    definition = await _definition(ctx, access, model_id)
    page = ModelFormPage(access.project.id, None if definition.is_builtin else definition.id,
                         model_row(definition) if definition.is_builtin else None,
                         form_from_definition(definition), can_manage=access.can(Action.MANAGE_MODELS))  # fmt: skip
    return render(request, "models/form.html", page, access=access)


async def _submitted(request: Request, access: ProjectAccess) -> ModelForm:
    await check_csrf(request, access.viewer)
    access.require(Action.MANAGE_MODELS)
    return ModelForm.from_fields({k: v for k, v in (await request.form()).items() if isinstance(v, str)})


def _refused(request: Request, access: ProjectAccess, model_id: str | None, form: ModelForm, exc: WebError) -> Response:
    page = ModelFormPage(access.project.id, model_id, None, form, error=exc.message, can_manage=True)
    return render(request, "models/form.html", page, access=access, status=exc.status)


@router.post("/project/{project_id}/models")
async def create_model(request: Request, access: Access, ctx: Ctx) -> Response:
    form = await _submitted(request, access)
    try:
        definition = definition_from_form(form)
    except WebError as exc:
        return _refused(request, access, None, form, exc)
    await ctx.store.create_model(access.project.id, definition)
    return RedirectResponse(_base(access.project.id), status_code=303)


def _recompute_form(fields: dict[str, str]) -> RecomputeForm:
    return RecomputeForm(fields.get("since", "").strip(), fields.get("until", "").strip(),
                         fields.get("model", "").strip())  # fmt: skip


@router.post("/project/{project_id}/models/recompute")
async def recompute(request: Request, access: Access, ctx: Ctx) -> Response:
    """Re-price this project's stored generations in a time range; `dry_run=1` only counts what would change."""
    await check_csrf(request, access.viewer)
    access.require(Action.RECOMPUTE_COSTS)
    fields = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    form = _recompute_form(fields)
    since, until = parse_time(form.since, "since"), parse_time(form.until, "until")
    if since is not None and until is not None and until <= since:
        raise WebError(400, "until must be after since")
    if form.model:
        try:
            compile_pattern(form.model)
        except PricingError as exc:
            raise WebError(400, f"model: {exc}") from None
    report = await ctx.store.recompute_costs(since, form.model or None, fields.get("dry_run") == "1", until=until,
                                             project_id=access.project.id)  # fmt: skip
    result = RecomputeResult(report, describe_recompute(report), form)
    return render(request, "models/list.html", await _page(request, access, ctx, result), access=access)


@router.post("/project/{project_id}/models/{model_id}")
async def update_model(request: Request, model_id: str, access: Access, ctx: Ctx) -> Response:
    form = await _submitted(request, access)
    existing = await _definition(ctx, access, model_id)
    if existing.is_builtin:
        raise WebError(409, "a built-in definition cannot be edited: add a project definition to override it")
    try:
        definition = definition_from_form(form)
    except WebError as exc:
        return _refused(request, access, model_id, form, exc)
    await ctx.store.replace_model(access.project.id, model_id, definition)
    return RedirectResponse(_base(access.project.id), status_code=303)


@router.post("/project/{project_id}/models/{model_id}/delete")
async def delete_model(request: Request, model_id: str, access: Access, ctx: Ctx) -> Response:
    await check_csrf(request, access.viewer)
    access.require(Action.MANAGE_MODELS)
    try:
        await ctx.store.delete_model(access.project.id, model_id)
    except NotFound:
        raise WebError(404, f"no model definition {model_id[:80]!r} in this project") from None
    except Conflict as exc:
        raise WebError(409, str(exc)) from None
    return RedirectResponse(_base(access.project.id), status_code=303)
