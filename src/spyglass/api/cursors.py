"""Opaque cursors of the cursor-paged public reads: base64url of the JSON `[time_us, id]` of the last item."""

from __future__ import annotations

import base64
import binascii

import orjson

from spyglass.api.errors import ApiError
from spyglass.domain.cursor_pages import Keyset, cursor_fits

_BAD_CURSOR = "cursor is not a cursor this server issued; pass meta.cursor of the previous page"


def encode_cursor(keyset: Keyset | None) -> str | None:
    if keyset is None:
        return None
    return base64.urlsafe_b64encode(orjson.dumps([keyset.time_us, keyset.id])).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> Keyset | None:
    """The keyset of a cursor this server issued; 400 for anything else."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        time_us, item_id = orjson.loads(raw)
    except (binascii.Error, ValueError, TypeError):
        raise ApiError(400, _BAD_CURSOR) from None
    if isinstance(time_us, bool) or not isinstance(time_us, int) or not isinstance(item_id, str):
        raise ApiError(400, _BAD_CURSOR)
    if not cursor_fits(time_us, item_id):
        raise ApiError(400, _BAD_CURSOR)
    return Keyset(time_us, item_id)
