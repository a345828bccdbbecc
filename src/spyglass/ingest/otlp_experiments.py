"""Experiment spans -> dataset run links. The 5.x Python SDK's `run_experiment` over a dataset makes no REST call to
link items to the run: every span of an item's trace carries `langfuse.experiment.*` attributes instead (the run's
id and name, the dataset and item ids, the task span's id). One link per (trace, run, item) folds them into the same
dataset runs and run items the 2.x-4.x SDKs create through `POST /api/public/dataset-run-items`.
See docs/datasets.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from spyglass.domain.datasets import RunItemLink
from spyglass.ingest.otlp_genai import loads_lenient

_PREFIX = "langfuse.experiment."


def _str(attrs: Mapping[str, Any], key: str) -> str | None:
    value = attrs.get(_PREFIX + key)
    return value if isinstance(value, str) and value else None


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def experiment_link(attrs: Mapping[str, Any], trace_id: str, start_us: int) -> RunItemLink | None:
    """The run link a span's attributes describe; None for spans of no dataset experiment (local data has no
    dataset id). The run item's time is the span's start (`start_us`, checked by the caller): when the item ran."""
    run_id, run_name = _str(attrs, "id"), _str(attrs, "name")
    dataset_id, item_id = _str(attrs, "dataset.id"), _str(attrs, "item.id")
    if run_id is None or run_name is None or dataset_id is None or item_id is None:
        return None
    metadata = attrs.get(_PREFIX + "metadata")
    return RunItemLink(
        run_name=run_name, dataset_item_id=item_id, trace_id=trace_id,
        observation_id=_str(attrs, "item.root_observation_id"), run_description=_str(attrs, "description"),
        run_metadata=loads_lenient(metadata) if isinstance(metadata, str) else metadata, run_id=run_id,
        dataset_id=dataset_id, created_at=_EPOCH + timedelta(microseconds=start_us),
    )  # fmt: skip


def earliest(kept: RunItemLink | None, link: RunItemLink) -> RunItemLink:
    """Of two spans' links to the same run item, the one of the span that started first (when the item's own span,
    `item.root_observation_id`, is not in the request)."""
    if kept is None or (link.created_at or _EPOCH) < (kept.created_at or _EPOCH):
        return link
    return kept
