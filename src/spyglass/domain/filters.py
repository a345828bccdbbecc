"""Langfuse's structured `filter` parameter of the public reads: filter types, their operators, and the columns each
resource can be filtered on. Pure data; api/filters.py parses the JSON into `Condition`s, store/where.py makes SQL.

A condition is `{type, column, operator, value[, key]}`; its `type` decides which operators and values it takes
(the same table as Langfuse's), and a column accepts only the types that fit its data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

OPERATORS: dict[str, tuple[str, ...]] = {
    "datetime": (">", "<", ">=", "<="),
    "string": ("=", "contains", "does not contain", "starts with", "ends with"),
    "stringOptions": ("any of", "none of"),
    "categoryOptions": ("any of", "none of"),
    "arrayOptions": ("any of", "none of", "all of"),
    "number": ("=", ">", "<", ">=", "<="),
    "stringObject": ("=", "contains", "does not contain", "starts with", "ends with"),
    "numberObject": ("=", ">", "<", ">=", "<="),
    "booleanObject": ("=", "<>"),
    "boolean": ("=", "<>"),
    "null": ("is null", "is not null"),
}
KEYED_TYPES = frozenset({"stringObject", "numberObject", "booleanObject", "categoryOptions"})


@dataclass(frozen=True, slots=True)
class Condition:
    """One checked filter entry: a known column, a type it accepts, an operator of that type and a fitting value
    (a str, a float/int, a bool, a tuple of str or an aware datetime; None for the null type)."""

    column: str
    operator: str
    value: Any
    key: str | None = None
    type: str = "string"


# What a column holds -> the filter types it accepts.
_KINDS: dict[str, frozenset[str]] = {
    "string": frozenset({"string", "stringOptions", "null"}),
    "datetime": frozenset({"datetime", "null"}),
    "number": frozenset({"number", "null"}),
    "tags": frozenset({"arrayOptions"}),
    "boolean": frozenset({"boolean"}),
    "metadata": frozenset({"stringObject", "numberObject", "categoryOptions"}),
    "score_numbers": frozenset({"numberObject"}),
    "score_categories": frozenset({"categoryOptions"}),
    "score_booleans": frozenset({"booleanObject"}),
}


def _columns(**kinds: str) -> dict[str, frozenset[str]]:
    return {column: _KINDS[kind] for column, kind in kinds.items()}


TRACE_COLUMNS = _columns(
    id="string", name="string", timestamp="datetime", userId="string", sessionId="string", environment="string",
    version="string", release="string", tags="tags", bookmarked="boolean", metadata="metadata", latency="number",
    inputTokens="number", outputTokens="number", totalTokens="number", tokens="number", totalCost="number",
    level="string", scores_avg="score_numbers", scores="score_numbers", score_categories="score_categories",
    score_booleans="score_booleans",
)  # fmt: skip

OBSERVATION_COLUMNS = _columns(
    id="string", type="string", name="string", traceId="string", startTime="datetime", endTime="datetime",
    environment="string", level="string", statusMessage="string", version="string", latency="number",
    timeToFirstToken="number", inputTokens="number", outputTokens="number", totalTokens="number", tokens="number",
    totalCost="number", model="string", providedModelName="string", promptName="string", promptVersion="number",
    metadata="metadata", userId="string", sessionId="string", traceName="string", traceEnvironment="string",
    traceTags="tags", tags="tags", parentObservationId="string", isRootObservation="boolean",
)  # fmt: skip

SCORE_COLUMNS = _columns(
    id="string", name="string", timestamp="datetime", value="number", stringValue="string", dataType="string",
    source="string", traceId="string", observationId="string", sessionId="string", datasetRunId="string",
    configId="string", authorUserId="string", comment="string", environment="string", metadata="metadata",
    userId="string", traceTags="tags", traceName="string",
)  # fmt: skip
