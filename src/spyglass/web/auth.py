"""Web sign-in: signed session cookies, CSRF tokens and per-project roles, attached to page routes as dependencies.

The cookie carries a random token and its HMAC under a key kept in the store; the store keeps only the token's
SHA-256, so a leaked database cannot be replayed as cookies. CSRF tokens are an HMAC of the session token, checked
on every mutating request (form field `csrf` or header `X-CSRF-Token`). Before sign-in, a double-submit cookie
protects the sign-in form itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from starlette.responses import Response

from spyglass.accounts import project_roles
from spyglass.api.context import AppContext, context
from spyglass.domain.accounts import Action, Role, User, can
from spyglass.domain.model import Project

SESSION_COOKIE = "spyglass_session"
PRE_CSRF_COOKIE = "spyglass_csrf"
SESSION_DAYS = 14


class WebError(Exception):
    """A page-level error: rendered as an HTML page or, for the JSON twin, as {"message", "error"}."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class SignInRequired(Exception):
    def __init__(self, next_url: str) -> None:
        super().__init__("sign in first")
        self.next_url = next_url


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in user of this request, with the CSRF token their forms carry."""

    user: User
    csrf: str
    token_hash: str


@dataclass(frozen=True, slots=True)
class ProjectAccess:
    viewer: Viewer
    project: Project
    role: Role
    projects: tuple[tuple[Project, Role], ...]

    def can(self, action: Action) -> bool:
        return can(self.role, action)

    def require(self, action: Action) -> None:
        if not can(self.role, action):
            raise WebError(403, f"your role in this project ({self.role}) does not allow this ({action})")


async def _secret(request: Request, ctx: AppContext) -> bytes:
    cached: bytes | None = getattr(request.app.state, "web_secret", None)
    if cached is None:
        cached = bytes.fromhex(await ctx.store.web_secret())
        request.app.state.web_secret = cached
    return cached


def _mac(secret: bytes, message: str) -> str:
    digest = hmac.new(secret, message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _cookie_token(secret: bytes, value: str | None) -> str | None:
    if not value or "." not in value:
        return None
    token, _, sig = value.rpartition(".")
    return token if hmac.compare_digest(_mac(secret, "session:" + token), sig) else None


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


async def start_session(request: Request, response: Response, user: User, ctx: AppContext) -> None:
    """Sign `user` in on `response`: a new token (never reused from before sign-in) in a signed cookie."""
    secret = await _secret(request, ctx)
    token = secrets.token_urlsafe(32)
    await ctx.store.create_web_session(_token_hash(token), user.id, datetime.now(UTC) + timedelta(days=SESSION_DAYS))
    response.set_cookie(
        SESSION_COOKIE, f"{token}.{_mac(secret, 'session:' + token)}", max_age=SESSION_DAYS * 86_400,
        httponly=True, samesite="lax", secure=_secure(request), path="/",
    )  # fmt: skip
    response.delete_cookie(PRE_CSRF_COOKIE, path="/")


async def end_session(response: Response, viewer: Viewer, ctx: AppContext) -> None:
    await ctx.store.delete_web_session(viewer.token_hash)
    response.delete_cookie(SESSION_COOKIE, path="/")


async def current_viewer(request: Request, ctx: AppContext) -> Viewer | None:
    secret = await _secret(request, ctx)
    token = _cookie_token(secret, request.cookies.get(SESSION_COOKIE))
    if token is None:
        return None
    token_hash = _token_hash(token)
    user = await ctx.store.web_session_user(token_hash)
    if user is None:
        return None
    return Viewer(user, _mac(secret, "csrf:" + token), token_hash)


def _next_url(request: Request) -> str:
    path = request.url.path
    return path + ("?" + request.url.query if request.url.query else "")


async def signed_in(request: Request, ctx: AppContext = Depends(context)) -> Viewer:  # noqa: B008
    """The signed-in viewer; otherwise SignInRequired (a redirect to /signin, or 401 for the JSON twin)."""
    viewer = await current_viewer(request, ctx)
    if viewer is None:
        raise SignInRequired(_next_url(request))
    return viewer


async def project_access(
    project_id: str, viewer: Viewer = Depends(signed_in), ctx: AppContext = Depends(context),  # noqa: B008
) -> ProjectAccess:  # fmt: skip
    """The viewer's role in the project of the path; 404 when they may not see it (or it does not exist)."""
    projects = tuple(await project_roles(ctx.store, viewer.user))
    for project, role in projects:
        if project.id == project_id:
            return ProjectAccess(viewer, project, role, projects)
    raise WebError(404, f"no project {project_id!r} that you can open")


async def check_csrf(request: Request, viewer: Viewer) -> None:
    """Raise 403 unless the request carries the viewer's CSRF token (form field or header)."""
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        form = await request.form()
        value = form.get("csrf")
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, viewer.csrf):
        raise WebError(403, "the form's CSRF token is missing or stale: reload the page and try again")


def pre_session_token(request: Request) -> str:
    return request.cookies.get(PRE_CSRF_COOKIE) or secrets.token_urlsafe(24)


def set_pre_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(PRE_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=_secure(request), path="/")


def check_pre_session_csrf(request: Request, sent: str | None) -> None:
    cookie = request.cookies.get(PRE_CSRF_COOKIE)
    if not cookie or not sent or not hmac.compare_digest(cookie, sent):
        raise WebError(403, "the sign-in form expired (or cookies are off): reload the page and try again")


def sign_in_url(next_url: str) -> str:
    return "/signin?next=" + quote(next_url, safe="")


def safe_next(value: str | None) -> str:
    """Only same-site paths: `//host` and `/\\host` would leave the site."""
    if not value or not value.startswith("/") or value.startswith("//") or value.startswith("/\\"):
        return "/"
    return value


Ctx = Annotated[AppContext, Depends(context)]
SignedIn = Annotated[Viewer, Depends(signed_in)]
Access = Annotated[ProjectAccess, Depends(project_access)]


@dataclass(slots=True)
class SignInThrottle:
    """Failed sign-ins per (client address, email): after `limit` within `window` seconds, refuse for the rest of
    the window. In memory, per process: enough to make guessing slow, without locking anyone out for long."""

    limit: int = 10
    window: float = 300.0
    failures: dict[tuple[str, str], list[float]] = field(default_factory=dict)

    def retry_after(self, key: tuple[str, str]) -> int:
        """Seconds until `key` may try again; 0 when it may now."""
        now = time.monotonic()
        recent = [t for t in self.failures.get(key, []) if now - t < self.window]
        if recent:
            self.failures[key] = recent
        else:
            self.failures.pop(key, None)
        return int(self.window - (now - recent[0])) + 1 if len(recent) >= self.limit else 0

    def failed(self, key: tuple[str, str]) -> None:
        if len(self.failures) > 10_000:
            self.failures.clear()
        self.failures.setdefault(key, []).append(time.monotonic())

    def succeeded(self, key: tuple[str, str]) -> None:
        self.failures.pop(key, None)


def throttle(request: Request) -> SignInThrottle:
    found: SignInThrottle | None = getattr(request.app.state, "sign_in_throttle", None)
    if found is None:
        found = SignInThrottle()
        request.app.state.sign_in_throttle = found
    return found
