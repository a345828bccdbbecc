"""Dashboards: the project home dashboard (figures over a time window, narrowed by the traces table's filters) and
custom dashboards of saved metrics-query widgets. Each page has its JSON twin."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from spyglass.domain.accounts import Action
from spyglass.domain.dashboards import (
    MAX_NAME,
    ChartType,
    Dashboard,
    Widget,
    check_widget,
    simple_query,
    with_widget,
    without_widget,
)
from spyglass.domain.metrics import DIMENSIONS, MEASURES, Aggregation, Granularity, InvalidMetricsQuery
from spyglass.query.dashboard import HomeDashboard, home_dashboard
from spyglass.query.widgets import WidgetResult, run_widgets
from spyglass.store.base import NotFound
from spyglass.web.auth import Access, Ctx, WebError, check_csrf
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
    if any("\x00" in v for v in params.values()):
        raise WebError(400, "filters may not hold NUL characters")
    query = trace_query(params)
    chosen, start, end = window(dict(params), query.from_timestamp, query.to_timestamp)
    figures = await home_dashboard(ctx.store, access.project.id, start, end, query)
    page = HomeDashboardPage(access.project.id, state(params), chosen, figures)
    return render(request, "dashboards/home.html", page, access=access)


# --- custom dashboards -------------------------------------------------------------------------------------------

MEASURE_CHOICES = tuple(f"{view.value}:{measure}" for view, measures in MEASURES.items() for measure in measures)
DIMENSION_CHOICES = tuple(sorted({d for dims in DIMENSIONS.values() for d in dims}))


@dataclass(frozen=True, slots=True)
class DashboardSummary:
    id: str
    name: str
    description: str
    widget_count: int
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class DashboardsPage:
    project_id: str
    dashboards: tuple[DashboardSummary, ...]
    can_edit: bool


@dataclass(frozen=True, slots=True)
class CustomDashboardPage:
    project_id: str
    dashboard: Dashboard
    range: str
    from_timestamp: datetime
    to_timestamp: datetime
    results: tuple[WidgetResult, ...]
    can_edit: bool
    editing: Widget | None
    presets: tuple[str, ...] = tuple(PRESETS)
    charts: tuple[str, ...] = tuple(ChartType)
    measures: tuple[str, ...] = MEASURE_CHOICES
    aggregations: tuple[str, ...] = tuple(Aggregation)
    dimensions: tuple[str, ...] = DIMENSION_CHOICES
    granularities: tuple[str, ...] = ("auto", *Granularity)


async def _form(request: Request) -> dict[str, str]:
    return {k: v.strip() for k, v in (await request.form()).items() if isinstance(v, str)}


async def _dashboard(ctx: Ctx, project_id: str, dashboard_id: str) -> Dashboard:
    try:
        return await ctx.store.get_dashboard(project_id, dashboard_id)
    except NotFound:
        raise WebError(404, f"dashboard {dashboard_id!r} not found in this project") from None


def _name(form: dict[str, str]) -> str:
    name = form.get("name", "")
    if not name or len(name) > MAX_NAME:
        raise WebError(400, f"name must have 1 to {MAX_NAME} characters")
    return name


@router.get("/project/{project_id}/dashboards")
async def dashboards(request: Request, access: Access, ctx: Ctx) -> Response:
    listed = await ctx.store.list_dashboards(access.project.id)
    rows = tuple(DashboardSummary(d.id, d.name, d.description, len(d.widgets), d.updated_at) for d in listed)
    page = DashboardsPage(access.project.id, rows, access.can(Action.EDIT_DASHBOARDS))
    return render(request, "dashboards/list.html", page, access=access)


@router.post("/project/{project_id}/dashboards")
async def create_dashboard(request: Request, access: Access, ctx: Ctx) -> Response:
    await check_csrf(request, access.viewer)
    access.require(Action.EDIT_DASHBOARDS)
    form = await _form(request)
    now = datetime.now(UTC)
    made = Dashboard(uuid.uuid4().hex[:16], access.project.id, _name(form), form.get("description", "")[:2000],
                     now, now)  # fmt: skip
    await ctx.store.put_dashboard(made)
    return RedirectResponse(f"/project/{access.project.id}/dashboards/{made.id}", status_code=303)


@router.get("/project/{project_id}/dashboards/{dashboard_id}")
async def custom_dashboard(request: Request, dashboard_id: str, access: Access, ctx: Ctx) -> Response:
    params = request.query_params
    found = await _dashboard(ctx, access.project.id, dashboard_id)
    times = trace_query(params)
    chosen, start, end = window(dict(params), times.from_timestamp, times.to_timestamp)
    results = await run_widgets(ctx.store, access.project.id, found, start, end)
    editing = next((w for w in found.widgets if w.id == params.get("edit")), None)
    page = CustomDashboardPage(access.project.id, found, chosen, start, end, results,
                               access.can(Action.EDIT_DASHBOARDS), editing)  # fmt: skip
    return render(request, "dashboards/custom.html", page, access=access)


@router.post("/project/{project_id}/dashboards/{dashboard_id}")
async def rename_dashboard(request: Request, dashboard_id: str, access: Access, ctx: Ctx) -> Response:
    await check_csrf(request, access.viewer)
    access.require(Action.EDIT_DASHBOARDS)
    found = await _dashboard(ctx, access.project.id, dashboard_id)
    form = await _form(request)
    await ctx.store.put_dashboard(replace(found, name=_name(form), description=form.get("description", "")[:2000],
                                          updated_at=datetime.now(UTC)))  # fmt: skip
    return RedirectResponse(f"/project/{access.project.id}/dashboards/{dashboard_id}", status_code=303)


@router.post("/project/{project_id}/dashboards/{dashboard_id}/delete")
async def delete_dashboard(request: Request, dashboard_id: str, access: Access, ctx: Ctx) -> Response:
    await check_csrf(request, access.viewer)
    access.require(Action.EDIT_DASHBOARDS)
    try:
        await ctx.store.delete_dashboard(access.project.id, dashboard_id)
    except NotFound:
        raise WebError(404, f"dashboard {dashboard_id!r} not found in this project") from None
    return RedirectResponse(f"/project/{access.project.id}/dashboards", status_code=303)


def _widget_query(form: dict[str, str]) -> Any:
    """The advanced JSON query when given, else the simple fields' query."""
    if form.get("query"):
        try:
            return orjson.loads(form["query"])
        except orjson.JSONDecodeError:
            raise WebError(400, "query is not valid JSON") from None
    view, _, measure = form.get("measure", "").partition(":")
    return simple_query(view, measure, form.get("aggregation", ""), form.get("dimension", ""),
                        form.get("granularity", ""))  # fmt: skip


@router.post("/project/{project_id}/dashboards/{dashboard_id}/widgets")
async def save_widget(request: Request, dashboard_id: str, access: Access, ctx: Ctx) -> Response:
    await check_csrf(request, access.viewer)
    access.require(Action.EDIT_DASHBOARDS)
    found = await _dashboard(ctx, access.project.id, dashboard_id)
    form = await _form(request)
    try:
        title, chart, query = check_widget(form.get("title", ""), form.get("chart", ""), _widget_query(form))
        ident = form.get("widget_id") or uuid.uuid4().hex[:12]
        changed = with_widget(found, Widget(ident, title, chart, query), datetime.now(UTC))
    except InvalidMetricsQuery as exc:
        raise WebError(400, f"the widget cannot be saved: {exc}") from None
    await ctx.store.put_dashboard(changed)
    return RedirectResponse(f"/project/{access.project.id}/dashboards/{dashboard_id}", status_code=303)


@router.post("/project/{project_id}/dashboards/{dashboard_id}/widgets/{widget_id}/delete")
async def delete_widget(request: Request, dashboard_id: str, widget_id: str, access: Access, ctx: Ctx) -> Response:
    await check_csrf(request, access.viewer)
    access.require(Action.EDIT_DASHBOARDS)
    found = await _dashboard(ctx, access.project.id, dashboard_id)
    if not any(w.id == widget_id for w in found.widgets):
        raise WebError(404, f"widget {widget_id!r} not found on this dashboard")
    await ctx.store.put_dashboard(without_widget(found, widget_id, datetime.now(UTC)))
    return RedirectResponse(f"/project/{access.project.id}/dashboards/{dashboard_id}", status_code=303)
