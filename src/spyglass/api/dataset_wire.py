"""Langfuse's wire shapes of datasets, items, runs and run items (camelCase, as the SDKs parse them)."""

from __future__ import annotations

from typing import Any

from spyglass.api.wire import iso
from spyglass.domain.datasets import Dataset, DatasetItem, DatasetRun, DatasetRunItem


def dataset_to_wire(dataset: Dataset) -> dict[str, Any]:
    """5.x requires the `metadata` key (null allowed)."""
    return {
        "id": dataset.id,
        "name": dataset.name,
        "description": dataset.description,
        "metadata": dataset.metadata,
        "inputSchema": dataset.input_schema,
        "expectedOutputSchema": dataset.expected_output_schema,
        "projectId": dataset.project_id,
        "createdAt": iso(dataset.created_at),
        "updatedAt": iso(dataset.updated_at),
    }


def item_to_wire(item: DatasetItem) -> dict[str, Any]:
    """5.x fails to parse an item without `mediaReferences`; `version` is when this state became current."""
    return {
        "id": item.id,
        "status": item.status.value,
        "input": item.input,
        "expectedOutput": item.expected_output,
        "metadata": item.metadata,
        "sourceTraceId": item.source_trace_id,
        "sourceObservationId": item.source_observation_id,
        "datasetId": item.dataset_id,
        "datasetName": item.dataset_name,
        "createdAt": iso(item.created_at),
        "updatedAt": iso(item.updated_at),
        "version": iso(item.updated_at),
        "mediaReferences": [],
    }


def run_to_wire(run: DatasetRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "name": run.name,
        "description": run.description,
        "metadata": run.metadata,
        "datasetId": run.dataset_id,
        "datasetName": run.dataset_name,
        "createdAt": iso(run.created_at),
        "updatedAt": iso(run.updated_at),
    }


def run_item_to_wire(item: DatasetRunItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "datasetRunId": item.dataset_run_id,
        "datasetRunName": item.dataset_run_name,
        "datasetItemId": item.dataset_item_id,
        "traceId": item.trace_id,
        "observationId": item.observation_id,
        "createdAt": iso(item.created_at),
        "updatedAt": iso(item.updated_at),
    }
