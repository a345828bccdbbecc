"""The DatasetStore (store/base.py) both SQL backends hand out: the shared operations of store/datasets.py and
store/dataset_compare.py run by the backend's runners."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TypeVar

from spyglass.domain.cursor_pages import CursorPage
from spyglass.domain.datasets import (
    Dataset,
    DatasetItem,
    DatasetRun,
    DatasetRunItem,
    DatasetSummary,
    ItemFilter,
    ItemUpsert,
    NewDataset,
    RunComparison,
    RunItemLink,
)
from spyglass.domain.experiments import Experiment, ExperimentItem, ExperimentQuery
from spyglass.store import dataset_compare, experiments
from spyglass.store import datasets as ops
from spyglass.store.base import Page, PageRequest

T = TypeVar("T")


def _now() -> datetime:
    return datetime.now(UTC)


class ProgramDatasets:
    """DatasetStore (store/base.py) over a backend's runners."""

    def __init__(self, get: ops.Runner, put: ops.Runner, dialect: ops.Dialect) -> None:
        self._get = get
        self._put = put
        self._dialect = dialect

    async def create_dataset(self, project_id: str, new: NewDataset) -> Dataset:
        now = _now()
        return await self._put(lambda: ops.create_dataset(project_id, new, now))

    async def get_dataset(self, project_id: str, name: str) -> Dataset:
        return await self._get(lambda: ops.get_dataset(project_id, name))

    async def get_dataset_by_id(self, project_id: str, dataset_id: str) -> Dataset:
        return await self._get(lambda: ops.get_dataset_by_id(project_id, dataset_id))

    async def list_datasets(self, project_id: str, page: PageRequest) -> Page[DatasetSummary]:
        return await self._get(lambda: ops.list_datasets(project_id, page))

    async def upsert_dataset_item(self, project_id: str, upsert: ItemUpsert) -> DatasetItem:
        now = _now()
        return await self._put(lambda: ops.upsert_dataset_item(project_id, upsert, now))

    async def get_dataset_item(self, project_id: str, item_id: str) -> DatasetItem:
        return await self._get(lambda: ops.get_dataset_item(project_id, item_id))

    async def list_dataset_items(self, project_id: str, flt: ItemFilter, page: PageRequest) -> Page[DatasetItem]:
        return await self._get(lambda: ops.list_dataset_items(project_id, flt, page))

    async def delete_dataset_item(self, project_id: str, item_id: str) -> None:
        now = _now()
        await self._put(lambda: ops.delete_dataset_item(project_id, item_id, now))

    async def link_run_item(self, project_id: str, link: RunItemLink) -> DatasetRunItem:
        now = _now()
        return await self._put(lambda: ops.link_run_item(project_id, link, now))

    async def link_experiment_items(self, project_id: str, links: Sequence[RunItemLink]) -> int:
        if not links:
            return 0
        now = _now()
        return await self._put(lambda: ops.link_experiment_items(project_id, links, now))

    async def list_dataset_runs(self, project_id: str, dataset_name: str, page: PageRequest) -> Page[DatasetRun]:
        return await self._get(lambda: ops.list_dataset_runs(project_id, dataset_name, page))

    async def get_dataset_run(self, project_id: str, dataset_name: str, run_name: str) -> DatasetRun:
        return await self._get(lambda: ops.get_dataset_run(project_id, dataset_name, run_name))

    async def delete_dataset_run(self, project_id: str, dataset_name: str, run_name: str) -> None:
        await self._put(lambda: ops.delete_dataset_run(project_id, dataset_name, run_name))

    async def list_run_items(self, project_id: str, run_id: str, page: PageRequest) -> Page[DatasetRunItem]:
        return await self._get(lambda: ops.list_run_items(project_id, run_id, page))

    async def compare_runs(
        self, project_id: str, dataset_name: str, run_ids: Sequence[str], sort_score: str | None, page: PageRequest
    ) -> RunComparison:
        return await dataset_compare.compare_runs(
            self._get, project_id, dataset_name, run_ids, sort_score, page, self._dialect
        )

    async def list_experiments(self, project_id: str, query: ExperimentQuery) -> CursorPage[Experiment]:
        return await self._get(lambda: experiments.list_experiments(project_id, query))

    async def list_experiment_items(self, project_id: str, query: ExperimentQuery) -> CursorPage[ExperimentItem]:
        return await self._get(lambda: experiments.list_experiment_items(project_id, query))
