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
import re
import secrets
from dataclasses import dataclass
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


def same_secret(sent: str | None, expected: str | None) -> bool:
    """Constant-time equality of two tokens of any characters (compare_digest refuses non-ASCII str)."""
    if not sent or not expected:
        return False
    return hmac.compare_digest(sent.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass"))


def _cookie_token(secret: bytes, value: str | None) -> str | None:
    if not value or "." not in value:
        return None
    token, _, sig = value.rpartition(".")
    return token if same_secret(sig, _mac(secret, "session:" + token)) else None


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


async def form_fields(request: Request) -> dict[str, str]:
    """The posted form's text fields; 400 when one holds a NUL byte (no stored text may: PostgreSQL refuses it)."""
    fields = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    if any("\x00" in k or "\x00" in v for k, v in fields.items()):
        raise WebError(400, "a form field may not contain a NUL byte")
    return fields


async def check_csrf(request: Request, viewer: Viewer) -> None:
    """Raise 403 unless the request carries the viewer's CSRF token (form field or header)."""
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        sent = (await form_fields(request)).get("csrf")
    if not same_secret(sent, viewer.csrf):
        raise WebError(403, "the form's CSRF token is missing or stale: reload the page and try again")


_TOKEN_CHARS = re.compile(r"[A-Za-z0-9_-]{16,128}")


def pre_session_token(request: Request) -> str:
    """The sign-in form's token: the cookie's when it is one we could have made, else a fresh one."""
    cookie = request.cookies.get(PRE_CSRF_COOKIE) or ""
    return cookie if _TOKEN_CHARS.fullmatch(cookie) else secrets.token_urlsafe(24)


def set_pre_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(PRE_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=_secure(request), path="/")


def check_pre_session_csrf(request: Request, sent: str | None) -> None:
    if not same_secret(sent, request.cookies.get(PRE_CSRF_COOKIE)):
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
