"""HTTP Basic auth with a project's API key pair (public key as user, secret key as password).

Attached once per router as a dependency; it yields the project id every read and write is scoped to.
"""

from __future__ import annotations

import base64
import binascii

from fastapi import Depends, Request

from spyglass.api.context import AppContext, context
from spyglass.api.errors import ApiError
from spyglass.domain.keys import verify_secret

_CHALLENGE = {"WWW-Authenticate": 'Basic realm="spyglass"'}


def _credentials(request: Request) -> tuple[str, str]:
    header = request.headers.get("authorization")
    if not header:
        raise ApiError(
            401, "missing Authorization header: use HTTP Basic auth with your public key and secret key",
            headers=_CHALLENGE,
        )  # fmt: skip
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        raise ApiError(401, f"unsupported auth scheme {scheme!r}: use HTTP Basic (public key:secret key)",
                       headers=_CHALLENGE)  # fmt: skip
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise ApiError(401, "the Basic credentials are not valid base64", headers=_CHALLENGE) from None
    public, sep, secret = decoded.partition(":")
    if not sep or not public or not secret:
        raise ApiError(401, "the Basic credentials must be 'public key:secret key'", headers=_CHALLENGE)
    return public, secret


def _refuse_nul(request: Request) -> None:
    if "\x00" in request.scope.get("path", "") or any(
        "\x00" in key or "\x00" in value for key, value in request.query_params.multi_items()
    ):
        raise ApiError(400, "the URL holds a NUL character (%00), which no id, name or filter can contain")


async def project_id(request: Request, ctx: AppContext = Depends(context)) -> str:  # noqa: B008
    """The id of the project whose key signed this request; 401 otherwise. Every public route depends on it, so it
    also refuses a NUL character anywhere in the URL (no stored id, name or filter holds one; PostgreSQL cannot even
    compare with it)."""
    _refuse_nul(request)
    public, secret = _credentials(request)
    if "\x00" in public:
        raise ApiError(401, "invalid API keys: check the public key, the secret key and the host", headers=_CHALLENGE)
    cached = ctx.keys.get(public, secret)
    if cached is not None:
        return cached
    key = await ctx.store.find_api_key(public)
    if key is None or key.revoked_at is not None or not verify_secret(secret, key.secret_hash):
        raise ApiError(401, "invalid API keys: check the public key, the secret key and the host", headers=_CHALLENGE)
    ctx.keys.put(public, secret, key.project_id)
    return key.project_id
