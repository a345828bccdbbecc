"""Downloads of the traces, generations and scores tables with the filters on screen: CSV, JSON Lines, Parquet."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from starlette.responses import Response, StreamingResponse

from spyglass.query.export import MEDIA_TYPES, TABLES, Format, Query, export, file_name, parquet_available, rows
from spyglass.web.auth import Access, Ctx, WebError
from spyglass.web.filters import generation_query, score_query, trace_query

router = APIRouter()


@router.get("/project/{project_id}/export/{table}.{fmt}")
async def export_table(request: Request, table: str, fmt: str, access: Access, ctx: Ctx) -> Response:
    chosen = TABLES.get(table)
    if chosen is None or fmt not in {f.value for f in Format}:
        raise WebError(404, f"exports are {', '.join(TABLES)} as {', '.join(f.value for f in Format)}")
    form = Format(fmt)
    if form is Format.PARQUET and not parquet_available():
        raise WebError(501, "Parquet exports need pyarrow on the server: pip install 'spyglass[parquet]'")
    params = request.query_params
    try:
        query: Query = (
            trace_query(params) if table == "traces"
            else generation_query(params) if table == "generations"
            else score_query(params)
        )  # fmt: skip
    except ValueError as exc:
        raise WebError(400, str(exc)) from None
    body = export(chosen, form, rows(ctx.store, access.project.id, query))
    name = file_name(chosen, form, datetime.now(UTC))
    return StreamingResponse(
        body,
        media_type=MEDIA_TYPES[form],
        headers={"Content-Disposition": f'attachment; filename="{name}"', "X-Content-Type-Options": "nosniff",
                 "Cache-Control": "no-store"},
    )  # fmt: skip
