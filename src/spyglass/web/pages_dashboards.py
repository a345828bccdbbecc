"""Dashboards: the project home dashboard (figures over a time window, narrowed by the traces table's filters) and
custom dashboards of saved metrics-query widgets. Each page has its JSON twin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from spyglass.query.dashboard import HomeDashboard, home_dashboard
from spyglass.web.auth import Access, Ctx, WebError
from spyglass.web.filters import LEVELS, PRESETS, ListState, state, trace_query
from spyglass.web.render import render

router = APIRouter()

DEFAULT_RANGE = "7d"
ALL_TIME = timedelta(days=365)  # "all": the last year, so buckets stay readable


@dataclass(frozen=True, slots=True)
class HomeDashboardPage:
    project_id: str
    state: ListState
    range: str
    dashboard: HomeDashboard
    presets: tuple[str, ...] = tuple(PRESETS)
    levels: tuple[str, ...] = LEVELS


def window(params: dict[str, str], start: datetime | None, end: datetime | None) -> tuple[str, datetime, datetime]:
    """The dashboard's (range, start, end): the traces table's range or from/to, else the last 7 days."""
    now = datetime.now(UTC)
    chosen = params.get("range") or ("custom" if params.get("from") or params.get("to") else DEFAULT_RANGE)
    if chosen == "all":
        return chosen, now - ALL_TIME, now
    if chosen in PRESETS:
        return chosen, now - PRESETS[chosen], now
    end = end or now
    start = start or end - PRESETS[DEFAULT_RANGE]
    if start >= end:
        raise WebError(400, "from must be before to")
    return chosen, start, end


@router.get("/project/{project_id}")
async def project_home(access: Access) -> Response:
    return RedirectResponse(f"/project/{access.project.id}/dashboard", status_code=303)


@router.get("/project/{project_id}/dashboard")
async def dashboard(request: Request, access: Access, ctx: Ctx) -> Response:
    params = request.query_params
    query = trace_query(params)
    chosen, start, end = window(dict(params), query.from_timestamp, query.to_timestamp)
    figures = await home_dashboard(ctx.store, access.project.id, start, end, query)
    page = HomeDashboardPage(access.project.id, state(params), chosen, figures)
    return render(request, "dashboards/home.html", page, access=access)
