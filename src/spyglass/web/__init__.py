"""The web UI: server-rendered pages over the query use cases, each with a JSON twin. `install` wires it."""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI, Request
from starlette.responses import RedirectResponse, Response
from starlette.staticfiles import StaticFiles

from spyglass.web import (
    pages_auth,
    pages_dashboards,
    pages_data,
    pages_datasets,
    pages_export,
    pages_media,
    pages_models,
    pages_prompts,
    pages_queues,
    pages_score_configs,
    pages_scores,
    pages_sessions,
    pages_settings,
    pages_traces,
)
from spyglass.web.auth import SignInRequired, WebError, sign_in_url
from spyglass.web.render import json_response, render, wants_json


def install(app: FastAPI) -> None:
    """Add the UI's routes, static files and error pages to `app` (the API under /api is untouched)."""
    static = resources.files("spyglass.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    for module in (
        pages_auth,
        pages_dashboards,
        pages_data,
        pages_export,
        pages_media,
        pages_traces,
        pages_sessions,
        pages_scores,
        pages_datasets,
        pages_prompts,
        pages_models,
        pages_settings,
        pages_score_configs,
        pages_queues,
    ):
        app.include_router(module.router, include_in_schema=False)

    @app.exception_handler(WebError)
    async def _web_error(request: Request, exc: WebError) -> Response:
        if wants_json(request):
            return json_response({"message": exc.message, "error": exc.status}, exc.status)
        return render(request, "error.html", {"status": exc.status, "message": exc.message}, status=exc.status)

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        if wants_json(request):
            return json_response({"message": "sign in first", "error": 401}, 401)
        return RedirectResponse(sign_in_url(exc.next_url), status_code=303)
