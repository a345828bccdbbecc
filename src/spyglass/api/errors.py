"""Errors the API answers with, and their mapping to status codes (attached once, in app.py).

Every error body is JSON `{"message": ..., "error": ...}`, the shape the Langfuse SDKs log; `error` is the name
Langfuse's own error class carries (`LangfuseNotFoundError` for a 404, ...).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from spyglass.api.responses import Json
from spyglass.domain.annotation import InvalidQueue
from spyglass.domain.comments import InvalidComment
from spyglass.domain.datasets import InvalidDataset
from spyglass.domain.score_configs import InvalidScoreConfig
from spyglass.ingest.pipeline import Busy, Closed
from spyglass.ingest.values import InvalidItem
from spyglass.store.base import Conflict, NotFound, NotSupported, Unavailable


class ApiError(Exception):
    def __init__(self, status: int, message: str, error: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.error = error or _ERROR_NAMES.get(status, "Error")
        self.headers = headers


_ERROR_NAMES = {
    400: "InvalidRequestError",
    401: "UnauthorizedError",
    403: "ForbiddenError",
    404: "LangfuseNotFoundError",
    405: "MethodNotAllowedError",
    409: "LangfuseConflictError",
    413: "PayloadTooLargeError",
    415: "UnsupportedMediaTypeError",
    501: "NotImplementedError",
    503: "ServiceUnavailableError",
}


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Json:
    body: dict[str, Any] = {"message": message, "error": _ERROR_NAMES.get(status, "Error")}
    return Json(body, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> Json:
        return Json({"message": exc.message, "error": exc.error}, status_code=exc.status, headers=exc.headers)

    @app.exception_handler(NotFound)
    async def _not_found(_: Request, exc: NotFound) -> Json:
        return error_response(404, str(exc.args[0]) if exc.args else "not found")

    @app.exception_handler(Conflict)
    async def _conflict(_: Request, exc: Conflict) -> Json:
        return error_response(409, str(exc))

    @app.exception_handler(InvalidItem)
    async def _invalid(_: Request, exc: InvalidItem) -> Json:
        return error_response(400, str(exc))

    async def _invalid_input(_: Request, exc: Exception) -> Json:
        return error_response(400, str(exc))

    for invalid in (InvalidScoreConfig, InvalidQueue, InvalidComment, InvalidDataset):
        app.add_exception_handler(invalid, _invalid_input)

    @app.exception_handler(NotSupported)
    async def _not_supported(_: Request, exc: NotSupported) -> Json:
        return error_response(501, str(exc))

    @app.exception_handler(Unavailable)
    async def _unavailable(_: Request, exc: Unavailable) -> Json:
        return error_response(503, f"the store is unavailable: {exc}", headers={"Retry-After": "2"})

    @app.exception_handler(Busy)
    async def _busy(_: Request, exc: Busy) -> Json:
        return error_response(503, str(exc), headers={"Retry-After": str(exc.retry_after)})

    @app.exception_handler(Closed)
    async def _closed(_: Request, exc: Closed) -> Json:
        return error_response(503, str(exc), headers={"Retry-After": "2"})

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> Json:
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("query", "path", "body"))
            problems.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
        return error_response(400, "; ".join(problems) or "invalid request")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> Json:
        return error_response(exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None))
