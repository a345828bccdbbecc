"""`POST /api/public/otel/v1/traces` (Langfuse's OTLP path) and `POST /v1/traces` (the plain OTLP/HTTP path).

OTLP/HTTP as the spec says (https://opentelemetry.io/docs/specs/otlp/#otlphttp): protobuf or JSON bodies, gzip or
deflate, an ExportTraceServiceResponse in the request's encoding, with `partial_success` when some spans were
rejected (400 when every span was). The answer comes after the accepted spans are committed; a full queue answers
503 with Retry-After (the OTel exporter retries 429/502/503/504 and drops the batch on 500).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse
from starlette.responses import Response

from spyglass.api.auth import project_id
from spyglass.api.body import decode_content, read_body
from spyglass.api.context import AppContext, context
from spyglass.api.errors import ApiError
from spyglass.api.responses import Json
from spyglass.ingest.langfuse import Limits
from spyglass.ingest.otlp import OtlpResult, decode_request
from spyglass.ingest.otlp_decode import OtlpDecodeError

router = APIRouter()

_PROTOBUF = ("application/x-protobuf", "application/protobuf", "application/vnd.google.protobuf")
_JSON = ("application/json",)
_MAX_ERROR_MESSAGE = 2000


def _wants_json(content_type: str | None) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media in _PROTOBUF:
        return False
    if media in _JSON:
        return True
    raise ApiError(
        415,
        f"Content-Type {media or '(none)'!r} is not supported for OTLP traces; "
        "send application/x-protobuf or application/json",
    )


def _message(result: OtlpResult) -> str:
    message = "; ".join(result.errors)
    if len(message) > _MAX_ERROR_MESSAGE:
        message = message[:_MAX_ERROR_MESSAGE] + f"... ({result.rejected} spans rejected)"
    return message


def _response(result: OtlpResult, as_json: bool) -> Response:
    message = _message(result)
    if as_json:
        body = {"partialSuccess": {"rejectedSpans": result.rejected, "errorMessage": message}} if result.errors else {}
        return Json(body, status_code=200)
    response = ExportTraceServiceResponse()
    if result.errors:
        response.partial_success.rejected_spans = result.rejected
        response.partial_success.error_message = message
    return Response(response.SerializeToString(), status_code=200, media_type="application/x-protobuf")


@router.post("/api/public/otel/v1/traces")
@router.post("/v1/traces")
async def export_traces(
    request: Request,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
) -> Response:
    as_json = _wants_json(request.headers.get("content-type"))
    limit = ctx.settings.max_body_bytes
    body = decode_content(await read_body(request, limit), request.headers.get("content-encoding"), limit)
    limits = Limits(max_value_bytes=ctx.settings.max_value_bytes)
    try:
        result = decode_request(body, as_json, project, limits)
    except OtlpDecodeError as exc:
        raise ApiError(400, str(exc)) from None
    if result.errors and not result.accepted:
        # Nothing in the request can ever be taken: 400, which the exporter does not retry (OTLP spec, "Failures").
        raise ApiError(400, f"every span was rejected: {_message(result)}")
    result.refuse_events(await ctx.pipeline.submit(result.events, per_event=True))
    await ctx.store.datasets.link_experiment_items(project, result.links)
    return _response(result, as_json)
