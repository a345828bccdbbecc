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

SECURITY_HEADERS = {
    # No inline script or style anywhere, so injected markup could not run even if it escaped escaping.
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
    " object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}

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


def to_json(data: Any) -> bytes:
    return orjson.dumps(data, default=_default, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_UTC_Z)


def json_response(data: Any, status: int = 200) -> Response:
    return Response(to_json(data), status_code=status, media_type="application/json", headers=SECURITY_HEADERS)


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
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


def fragment(template: str, page: Any, **more: Any) -> Response:
    """A partial (rows of a table) for the page's own script to swap in."""
    html = templates.get_template(template).render(page=page, **more)
    return HTMLResponse(html, headers=SECURITY_HEADERS)


def as_dict(page: Any) -> dict[str, Any]:
    result: dict[str, Any] = dataclasses.asdict(page)
    return result
