"""Project settings, data policy: how long traces are kept and what is masked before it is stored. Owners change it."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from spyglass.domain.accounts import Action
from spyglass.domain.lifecycle import MAX_RETENTION_DAYS, PolicyError
from spyglass.domain.masking import BUILTIN_RULES, checked_policy
from spyglass.web.auth import Access, Ctx, WebError, check_csrf
from spyglass.web.render import render

router = APIRouter()


@dataclass(frozen=True, slots=True)
class MaskingRule:
    name: str
    description: str
    on: bool


@dataclass(frozen=True, slots=True)
class DataPolicyPage:
    project_id: str
    retention_days: int | None
    max_retention_days: int
    rules: tuple[MaskingRule, ...]
    patterns: tuple[str, ...]
    can_manage: bool
    retention_interval_seconds: int


@router.get("/project/{project_id}/settings/data")
async def data_policy(request: Request, access: Access, ctx: Ctx) -> Response:
    policy = await ctx.store.get_data_policy(access.project.id)
    rules = tuple(MaskingRule(name, about, name in policy.masking) for name, (_, about) in BUILTIN_RULES.items())
    page = DataPolicyPage(access.project.id, policy.retention_days, MAX_RETENTION_DAYS, rules, policy.mask_patterns,
                          access.can(Action.MANAGE_DATA), ctx.settings.retention_interval_seconds)  # fmt: skip
    return render(request, "settings/data.html", page, access=access)


@router.post("/project/{project_id}/settings/data")
async def update_data_policy(request: Request, access: Access, ctx: Ctx) -> Response:
    await check_csrf(request, access.viewer)
    access.require(Action.MANAGE_DATA)
    form = await request.form()
    days_text = str(form.get("retention_days") or "").strip()
    if days_text and not (days_text.isascii() and days_text.isdigit() and len(days_text) <= 6):
        raise WebError(
            400, f"retention must be a whole number of days (or empty: keep forever), got {days_text[:20]!r}"
        )
    rules = [str(v) for v in form.getlist("rule")]
    patterns = str(form.get("patterns") or "").splitlines()
    try:
        policy = checked_policy(int(days_text) if days_text else None, rules, patterns)
    except PolicyError as exc:
        raise WebError(400, str(exc)) from None
    await ctx.store.set_data_policy(access.project.id, policy)
    ctx.pipeline.masking.forget(access.project.id)
    return RedirectResponse(f"/project/{access.project.id}/settings/data", status_code=303)
