"""Sign-in, sign-out and the start page (which opens the viewer's first project)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from spyglass.accounts import authenticate, project_roles
from spyglass.web.auth import (
    Ctx,
    SignedIn,
    check_csrf,
    check_pre_session_csrf,
    current_viewer,
    end_session,
    form_fields,
    pre_session_token,
    safe_next,
    set_pre_session_cookie,
    start_session,
)
from spyglass.web.render import render, wants_json
from spyglass.web.throttle import client_address, throttle, trusted_proxies

router = APIRouter()


@dataclass(frozen=True, slots=True)
class SignInPage:
    next: str
    email: str = ""
    error: str | None = None


@dataclass(frozen=True, slots=True)
class ProjectLink:
    id: str
    name: str
    role: str
    url: str


@dataclass(frozen=True, slots=True)
class HomePage:
    email: str
    projects: tuple[ProjectLink, ...]


@router.get("/")
async def home(request: Request, viewer: SignedIn, ctx: Ctx) -> Response:
    projects = tuple(
        ProjectLink(p.id, p.name, r.value, f"/project/{p.id}/traces")
        for p, r in await project_roles(ctx.store, viewer.user)
    )
    if len(projects) >= 1 and not wants_json(request):
        return RedirectResponse(projects[0].url, status_code=303)
    return render(request, "home.html", HomePage(viewer.user.email, projects), viewer=viewer)


@router.get("/signin")
async def sign_in_page(request: Request, ctx: Ctx, next: str | None = None) -> Response:
    if await current_viewer(request, ctx) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    token = pre_session_token(request)
    response = render(request, "signin.html", SignInPage(safe_next(next)), extra={"form_csrf": token})
    set_pre_session_cookie(request, response, token)
    return response


@router.post("/signin")
async def sign_in(request: Request, ctx: Ctx) -> Response:
    form = await form_fields(request)
    email = str(form.get("email") or "")
    password = str(form.get("password") or "")
    next_url = safe_next(str(form.get("next") or "/"))
    check_pre_session_csrf(request, str(form.get("csrf") or ""))
    if not email.strip() or not password:
        # Not a guess: nothing to check, so nothing counted (and nothing that could wear the throttle down).
        page = SignInPage(next_url, email, "Enter your email and password.")
        return render(request, "signin.html", page, status=400, extra={"form_csrf": str(form.get("csrf") or "")})
    guard = throttle(request)
    key = (email.strip().lower(), client_address(request, trusted_proxies(request)))
    if wait := guard.retry_after(key):
        page = SignInPage(next_url, email, f"Too many failed sign-ins: try again in {wait} seconds.")
        response = render(request, "signin.html", page, status=429, extra={"form_csrf": str(form.get("csrf") or "")})
        response.headers["Retry-After"] = str(wait)
        return response
    user = await authenticate(ctx.store, email, password)
    if user is None:
        guard.failed(key)
        page = SignInPage(next_url, email, "Wrong email or password.")
        return render(request, "signin.html", page, status=401, extra={"form_csrf": str(form.get("csrf") or "")})
    guard.succeeded(key)
    response = RedirectResponse(next_url, status_code=303)
    await start_session(request, response, user, ctx)
    return response


@router.post("/signout")
async def sign_out(request: Request, viewer: SignedIn, ctx: Ctx) -> Response:
    await check_csrf(request, viewer)
    response = RedirectResponse("/signin", status_code=303)
    await end_session(response, viewer, ctx)
    return response
