"""The machinery of the two-tenant isolation matrix (tests/web/test_isolation.py): project B's private marker and
files, the route table, the tenants a case is given, MATRIX and the `case` decorator that fills it, and the checks
every case makes.

MATRIX is filled by tests/web/test_isolation.py (the traces, scores, sessions, prompts, models and core pages) and by
tests/web/isolation_cases.py (datasets, evaluation, comments, metrics, media, dashboards and the newer pages).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

MARK = "zq-tenant-b-private"  # in B's content (never in an id), so no echo of a requested id can look like a leak

B_FILE = f"{MARK} file".encode()
B_PENDING = f"{MARK} pending file".encode()


def media_announcement(data: bytes, trace_id: str) -> dict[str, Any]:
    return {"traceId": trace_id, "contentType": "text/plain", "contentLength": len(data), "field": "input",
            "sha256Hash": base64.b64encode(hashlib.sha256(data).digest()).decode()}  # fmt: skip


def route_table(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path template) of every route the app answers, HEAD aside."""
    found: set[tuple[str, str]] = set()
    for route in app.routes:
        contexts = route.effective_route_contexts() if hasattr(route, "effective_route_contexts") else [route]
        for ctx in contexts:
            for method in getattr(ctx, "methods", None) or ():
                if method != "HEAD":
                    found.add((method, ctx.path))
    return found


# Routes that hold no tenant data at all.
NO_TENANT_DATA = {
    ("GET", "/api/openapi.json"),
    ("GET", "/api/public/health"),
    ("GET", "/signin"),
    ("POST", "/signin"),
    ("POST", "/signout"),
}


@dataclass
class Tenants:
    a: str  # the caller's project
    b: str  # the other project
    a_api: httpx.AsyncClient
    b_api: httpx.AsyncClient
    a_web: httpx.AsyncClient  # the owner of A, with no role in B
    b_key: str
    b_model: str
    csrf: str
    ids: dict[str, str]  # B's other objects: dataset, item, run, config, queue, queue_item, comment, dashboard, ...


Case = Callable[[Tenants], Awaitable[None]]
MATRIX: dict[tuple[str, str], Case] = {}


def case(method: str, path: str) -> Callable[[Case], Case]:
    def register(fn: Case) -> Case:
        MATRIX[(method, path)] = fn
        return fn

    return register


def no_leak(response: httpx.Response, *allowed: int) -> None:
    assert response.status_code in allowed, (response.request.url, response.status_code, response.text[:300])
    assert MARK not in response.text, (response.request.url, response.text[:300])


def empty(response: httpx.Response) -> None:
    no_leak(response, 200)
    assert response.json()["data"] == [], (response.request.url, response.text[:300])
