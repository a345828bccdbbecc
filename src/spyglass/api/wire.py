"""Domain records -> Langfuse's JSON shapes (camelCase, ISO-8601 UTC times with a Z).

Plain dict builders rather than pydantic models: responses are built on the hot read path and the shapes are
fixed by Langfuse's API, which the SDK test suites check field by field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from spyglass.domain.model import Observation, Project, Score, Session, Trace
from spyglass.domain.usage import token_totals
from spyglass.store.base import Page


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def page_meta(page: Page[Any]) -> dict[str, int]:
    return {"page": page.page, "limit": page.limit, "totalItems": page.total, "totalPages": page.total_pages}


def project_to_wire(project: Project) -> dict[str, Any]:
    return {
        "id": project.id,
        "name": project.name,
        "organization": {"id": "spyglass", "name": "Spyglass"},
        "metadata": {},
        "retentionDays": None,
    }


def trace_to_wire(
    trace: Trace,
    *,
    observations: list[dict[str, Any]] | list[str] | None = None,
    scores: list[dict[str, Any]] | list[str] | None = None,
) -> dict[str, Any]:
    rollup = trace.rollup
    return {
        "id": trace.id,
        "externalId": None,
        "projectId": trace.project_id,
        "timestamp": iso(trace.timestamp),
        "name": trace.name,
        "input": trace.input,
        "output": trace.output,
        "sessionId": trace.session_id,
        "release": trace.release,
        "version": trace.version,
        "userId": trace.user_id,
        "metadata": metadata_map(trace.metadata),
        "tags": list(trace.tags),
        "public": trace.public,
        "bookmarked": trace.bookmarked,
        "environment": trace.environment,
        "htmlPath": f"/project/{trace.project_id}/traces/{trace.id}",
        "latency": rollup.latency_seconds,
        "totalCost": rollup.total_cost,
        "level": rollup.level,
        "observationCount": rollup.observation_count,
        "inputTokens": rollup.input_tokens,
        "outputTokens": rollup.output_tokens,
        "totalTokens": rollup.total_tokens,
        "observations": observations if observations is not None else [],
        "scores": scores if scores is not None else [],
        "createdAt": iso(trace.created_at),
        "updatedAt": iso(trace.updated_at),
    }


def metadata_map(value: Any) -> Any:
    """Langfuse keeps metadata as a map, so an entity without any reads back `{}`, never null."""
    return {} if value is None else value


def score_value(score: Score) -> float | None:
    """Langfuse's `value`: categorical scores without a linked config read 0, boolean ones 0 or 1."""
    if score.value is None and score.data_type in ("CATEGORICAL", "BOOLEAN", "CORRECTION"):
        return 0.0
    return score.value


def score_string_value(score: Score) -> str | None:
    """Langfuse's `stringValue`: "True"/"False" for a boolean score, the label of a categorical one, else null."""
    if score.data_type == "BOOLEAN":
        return "True" if score.value else "False"
    if score.data_type == "NUMERIC":
        return None
    return score.string_value


def observation_to_wire(obs: Observation, prompt_id: str | None = None) -> dict[str, Any]:
    usage = obs.usage_details
    costs = obs.cost_details
    inp, out, total = token_totals(usage)
    return {
        "id": obs.id,
        "projectId": obs.project_id,
        "traceId": obs.trace_id,
        "type": obs.type,
        "name": obs.name,
        "startTime": iso(obs.start_time),
        "endTime": iso(obs.end_time),
        "completionStartTime": iso(obs.completion_start_time),
        "model": obs.model,
        "modelParameters": obs.model_parameters,
        "input": obs.input,
        "output": obs.output,
        "metadata": metadata_map(obs.metadata),
        "version": obs.version,
        "level": obs.level,
        "statusMessage": obs.status_message,
        "parentObservationId": obs.parent_observation_id,
        "environment": obs.environment,
        "promptId": prompt_id,
        "promptName": obs.prompt_name,
        "promptVersion": obs.prompt_version,
        "modelId": None,
        "usage": {
            "input": inp,
            "output": out,
            "total": total,
            "unit": "TOKENS",
            "inputCost": costs.get("input"),
            "outputCost": costs.get("output"),
            "totalCost": costs.get("total"),
        },
        "usageDetails": usage,
        "costDetails": costs,
        "unit": "TOKENS",
        "usagePricingTierName": None,
        "usagePricingTierId": None,
        "promptTokens": inp,
        "completionTokens": out,
        "totalTokens": total,
        "inputPrice": None,
        "outputPrice": None,
        "totalPrice": None,
        "calculatedInputCost": costs.get("input"),
        "calculatedOutputCost": costs.get("output"),
        "calculatedTotalCost": costs.get("total"),
        "latency": obs.latency_seconds,
        "timeToFirstToken": obs.time_to_first_token_seconds,
        "createdAt": iso(obs.created_at),
        "updatedAt": iso(obs.updated_at),
    }


def score_to_wire(score: Score) -> dict[str, Any]:
    """Langfuse's score shape (v1 and v2 reads); a TEXT score has no `value` key, as in Langfuse."""
    out = {
        "id": score.id,
        "projectId": score.project_id,
        "traceId": score.trace_id,
        "observationId": score.observation_id,
        "sessionId": score.session_id,
        "datasetRunId": score.dataset_run_id,
        "name": score.name,
        "value": score_value(score),
        "stringValue": score_string_value(score),
        "dataType": score.data_type,
        "source": score.source,
        "comment": score.comment,
        "metadata": metadata_map(score.metadata),
        "configId": score.config_id,
        "authorUserId": score.author_user_id,
        "queueId": score.queue_id,
        "executionTraceId": None,
        "environment": score.environment,
        "timestamp": iso(score.timestamp),
        "createdAt": iso(score.created_at),
        "updatedAt": iso(score.updated_at),
    }
    if score.data_type == "TEXT":
        del out["value"]
    return out


def session_to_wire(session: Session) -> dict[str, Any]:
    return {
        "id": session.id,
        "projectId": session.project_id,
        "createdAt": iso(session.created_at),
        "environment": session.environment,
        "traceCount": session.trace_count,
        "userIds": list(session.user_ids),
        "totalCost": session.total_cost,
        "totalTokens": session.total_tokens,
        "firstTraceAt": iso(session.first_trace_at),
        "lastTraceAt": iso(session.last_trace_at),
    }
