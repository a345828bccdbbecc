"""Rendering a page: one typed context object, shown as HTML (Jinja2, autoescaped) or as its JSON twin.

A page answers JSON when asked with `?format=json` or an Accept header preferring application/json; the JSON is
the same context object the template sees, so page data is testable without parsing HTML.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import orjson
from fastapi import Request
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.responses import HTMLResponse, Response

from spyglass.web.auth import ProjectAccess, Viewer
from spyglass.web.charts import register_charts
from spyglass.web.content import register_filters

templates = Environment(
    loader=PackageLoader("spyglass.web", "templates"),
    autoescape=select_autoescape(("html", "svg"), default_for_string=True, default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
register_filters(templates)
register_charts(templates)


def wants_json(request: Request) -> bool:
    if request.query_params.get("format") == "json":
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _default(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


MAX_JSON_DEPTH = 200  # orjson stops at 255 levels; values nested deeper are cut here, with a note in their place
DEEPER = f"(nested deeper than {MAX_JSON_DEPTH} levels: cut in this view; the public API returns the value whole)"


def _clipped(value: Any, budget: int) -> Any:
    """`value` as plain lists and dicts, with anything nested more than `budget` levels down replaced by DEEPER."""
    container = isinstance(value, (dict, list, tuple, set, frozenset)) or (
        dataclasses.is_dataclass(value) and not isinstance(value, type)
    )
    if not container:
        return value
    if budget <= 0:
        return DEEPER
    if isinstance(value, dict):
        return {k: _clipped(v, budget - 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else value
        return [_clipped(v, budget - 1) for v in items]
    return {f.name: _clipped(getattr(value, f.name), budget - 1) for f in dataclasses.fields(value)}


def to_json(data: Any) -> bytes:
    option = orjson.OPT_NON_STR_KEYS | orjson.OPT_UTC_Z
    try:
        return orjson.dumps(data, default=_default, option=option)
    except orjson.JSONEncodeError:
        # A deeply nested input, output or metadata (or observation tree): the page shows it cut at a depth.
        return orjson.dumps(_clipped(data, MAX_JSON_DEPTH), default=_default, option=option)


def json_response(data: Any, status: int = 200) -> Response:
    return Response(to_json(data), status_code=status, media_type="application/json")


def render(
    request: Request, template: str, page: Any, *, access: ProjectAccess | None = None, viewer: Viewer | None = None,
    status: int = 200, extra: dict[str, Any] | None = None,
) -> Response:  # fmt: skip
    """HTML from `template` with `page` (a dataclass) as `page`, or `page` itself as JSON."""
    if wants_json(request):
        return json_response(page, status)
    viewer = viewer or (access.viewer if access else None)
    html = templates.get_template(template).render(
        page=page, access=access, viewer=viewer, csrf=viewer.csrf if viewer else "", request=request,
        path=request.url.path, query=str(request.url.query), now=datetime.now(UTC), **(extra or {}),
    )  # fmt: skip
    return HTMLResponse(html, status_code=status)  # the security headers are added by guard.Guard


def fragment(template: str, page: Any, **more: Any) -> Response:
    """A partial (rows of a table) for the page's own script to swap in."""
    html = templates.get_template(template).render(page=page, **more)
    return HTMLResponse(html)


def as_dict(page: Any) -> dict[str, Any]:
    result: dict[str, Any] = dataclasses.asdict(page)
    return result
