"""Scores (list with a distribution per name) and generations (the observations table)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from starlette.responses import Response

from spyglass.domain.listing import GenerationRow, ScoreDistribution
from spyglass.domain.model import Score
from spyglass.query.traces import decode_cursor, encode_cursor
from spyglass.store.base import PageRequest, ScoreFilter
from spyglass.web.auth import Access, Ctx, WebError
from spyglass.web.filters import LEVELS, PAGE_SIZES, PRESETS, ListState, generation_query, state
from spyglass.web.render import render

router = APIRouter()

SOURCES = ("API", "ANNOTATION", "EVAL")
DATA_TYPES = ("NUMERIC", "CATEGORICAL", "BOOLEAN")
MAX_PAGE = 1_000_000  # past this an offset means nothing (and a huge one overflows the store's integers)


@dataclass(frozen=True, slots=True)
class ScoresPage:
    project_id: str
    filters: dict[str, str]
    scores: tuple[Score, ...]
    distributions: tuple[ScoreDistribution, ...]
    page: int
    total: int
    total_pages: int
    sources: tuple[str, ...] = SOURCES
    data_types: tuple[str, ...] = DATA_TYPES


@dataclass(frozen=True, slots=True)
class GenerationsPage:
    project_id: str
    state: ListState
    rows: tuple[GenerationRow, ...]
    next_cursor: str | None
    cursor: str | None
    presets: tuple[str, ...] = tuple(PRESETS)
    levels: tuple[str, ...] = LEVELS
    page_sizes: tuple[int, ...] = PAGE_SIZES


def _choice(request: Request, name: str, allowed: tuple[str, ...]) -> str | None:
    value = request.query_params.get(name, "").strip().upper()
    if value and value not in allowed:
        raise WebError(400, f"{name} must be one of {', '.join(allowed)}, got {value[:20]!r}")
    return value or None


@router.get("/project/{project_id}/scores")
async def scores(
    request: Request,
    access: Access,
    ctx: Ctx,
) -> Response:
    params = request.query_params
    raw_page = params.get("page", "1")
    if not (raw_page.isascii() and raw_page.isdigit()) or not 1 <= int(raw_page) <= MAX_PAGE:
        raise WebError(400, f"page must be a whole number from 1 to {MAX_PAGE:,}, got {raw_page[:20]!r}")
    name = params.get("name", "").strip() or None
    source = _choice(request, "source", SOURCES)
    flt = ScoreFilter(
        name=name, source=source, data_type=_choice(request, "data_type", DATA_TYPES),
        trace_id=params.get("trace", "").strip() or None, user_id=params.get("user", "").strip() or None,
    )  # fmt: skip
    listed = await ctx.store.list_scores(access.project.id, flt, PageRequest(page=int(raw_page), limit=50))
    spread = await ctx.store.score_distributions(access.project.id, name, source)
    filters = {k: v for k, v in params.items() if v and k not in ("page", "format")}
    page = ScoresPage(access.project.id, filters, listed.items, tuple(spread), listed.page, listed.total,
                      listed.total_pages)  # fmt: skip
    return render(request, "scores/list.html", page, access=access)


@router.get("/project/{project_id}/generations")
async def generations(
    request: Request,
    access: Access,
    ctx: Ctx,
) -> Response:
    params = request.query_params
    try:
        cursor = decode_cursor(params.get("cursor"))
    except ValueError as exc:
        raise WebError(400, str(exc)) from None
    listed = await ctx.store.list_generation_rows(access.project.id, generation_query(params), cursor,
                                                  state(params).limit)  # fmt: skip
    page = GenerationsPage(access.project.id, state(params), listed.items, encode_cursor(listed.next_cursor),
                           params.get("cursor"))  # fmt: skip
    return render(request, "generations/list.html", page, access=access)
