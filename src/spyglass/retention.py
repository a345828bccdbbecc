"""Retention: delete what is older than each project's policy, in batches, without holding up ingestion.

`enforce` runs every `retention_interval_seconds` inside `spyglass serve` (RetentionJob) and once from
`spyglass purge`. Each batch is one short transaction of the store's (on SQLite, on the same writer as ingestion,
so ingestion's groups interleave with it); the files of media nothing refers to any more are removed afterwards.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from spyglass.domain.lifecycle import PurgeReport
from spyglass.store.base import Store
from spyglass.store.blobs import Blobs

log = logging.getLogger("spyglass.retention")

BATCH = 500


async def purge_project(
    store: Store, blobs: Blobs, project_id: str, before: datetime, *, batch: int = BATCH
) -> PurgeReport:
    """Delete everything of the project from before `before`, batch by batch, and hand the space back."""
    total = PurgeReport()
    while True:
        report = await store.purge(project_id, before, batch)
        for media_id in report.media_ids:
            await blobs.delete(project_id, media_id)
        total += report
        if report.empty:
            break
        await asyncio.sleep(0)  # let waiting ingestion groups take the writer between batches
    if not total.empty:
        await store.reclaim_space()
    return total


async def enforce(
    store: Store, blobs: Blobs, now: datetime | None = None, *, only: str | None = None
) -> dict[str, PurgeReport]:
    """Apply every project's retention (or `only` that project's); what was deleted, by project id (projects with
    nothing to delete left out)."""
    now = now or datetime.now(UTC)
    done: dict[str, PurgeReport] = {}
    for project_id, policy in (await store.data_policies()).items():
        cutoff = policy.cutoff(now)
        if cutoff is None or (only is not None and project_id != only):
            continue
        report = await purge_project(store, blobs, project_id, cutoff)
        if not report.empty:
            done[project_id] = report
            log.info(
                "retention: project %s: deleted %d traces, %d observations, %d scores, %d media files older than %s",
                project_id, report.traces, report.observations, report.scores, len(report.media_ids),
                cutoff.isoformat(),
            )  # fmt: skip
    return done


class RetentionJob:
    """The background task of `spyglass serve`: `enforce` now and then every `interval` seconds."""

    def __init__(self, store: Store, blobs: Blobs, interval: float) -> None:
        self._store = store
        self._blobs = blobs
        self._interval = interval
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._interval > 0:
            self._task = asyncio.create_task(self._run(), name="spyglass-retention")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await enforce(self._store, self._blobs)
            except asyncio.CancelledError:
                raise
            except Exception:  # a store outage: try again at the next round
                log.exception("retention round failed; retrying in %s s", self._interval)
            await asyncio.sleep(self._interval)
