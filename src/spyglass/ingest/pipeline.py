"""The write pipeline: a bounded queue and one writer task that commits events in groups.

`submit` returns only after the store has made the events durable, so an HTTP ack means "on disk". When more
events are waiting than the queue holds, `submit` raises Busy at once (the API answers 503 with Retry-After, which
every SDK retries) instead of letting memory grow.

A group that fails is written again request by request, so one request cannot fail the others; and a request that
fails alone is written event by event when its sender can report per item (`submit(..., per_event=True)`), so one
event the store refuses cannot lose the others of its batch.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from spyglass.domain.events import Event
from spyglass.ingest.masking import Masking
from spyglass.store.base import Store, Unavailable

log = logging.getLogger("spyglass.pipeline")


class Busy(Exception):
    """The queue is full; try again after `retry_after` seconds."""

    def __init__(self, retry_after: int = 1) -> None:
        super().__init__(f"ingestion queue is full; retry after {retry_after} s")
        self.retry_after = retry_after


class Closed(Exception):
    """The pipeline is stopping and takes no more events."""


@dataclass(slots=True)
class _Job:
    events: Sequence[Event]
    done: asyncio.Future[set[int]]
    per_event: bool = False


class Pipeline:
    def __init__(self, store: Store, *, max_queued_events: int = 100_000, max_group_events: int = 5_000) -> None:
        self._store = store
        self.masking = Masking(store)
        self._max_queued = max_queued_events
        self._max_group = max_group_events
        self._jobs: deque[_Job] = deque()
        self._queued = 0
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    @property
    def queued_events(self) -> int:
        return self._queued

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="spyglass-writer")

    async def stop(self) -> None:
        """Stop taking events, write what is queued, and end the writer task."""
        self._closing = True
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def submit(self, events: Sequence[Event], *, per_event: bool = False) -> set[int]:
        """Queue `events` and wait until they are committed. Raises Busy when full, Closed when stopping.

        With `per_event`, a request the store refuses as a whole is written event by event, and the answer is the
        set of indexes of the events that could not be written (empty when all were); otherwise such a request
        raises."""
        if not events:
            return set()
        if self._closing:
            raise Closed("the server is shutting down")
        try:
            events = await self.masking.mask(events)
        except Unavailable as exc:
            raise Busy(retry_after=2) from exc
        # No await from the check to the append: the queue bound holds however many requests arrive at once.
        if self._queued and self._queued + len(events) > self._max_queued:
            raise Busy(retry_after=1)
        job = _Job(events, asyncio.get_running_loop().create_future(), per_event)
        self._jobs.append(job)
        self._queued += len(events)
        self._wake.set()
        return await job.done

    async def flush(self) -> None:
        """Wait until everything submitted so far is committed."""
        if self._jobs:
            marker: _Job = _Job((), asyncio.get_running_loop().create_future())
            self._jobs.append(marker)
            self._wake.set()
            await marker.done

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._jobs:
                group = self._take_group()
                await self._commit(group)
            if self._closing and not self._jobs:
                return

    def _take_group(self) -> list[_Job]:
        group: list[_Job] = []
        size = 0
        while self._jobs and (not group or size + len(self._jobs[0].events) <= self._max_group):
            job = self._jobs.popleft()
            group.append(job)
            size += len(job.events)
        return group

    async def _commit(self, group: list[_Job]) -> None:
        events = [e for job in group for e in job.events]
        try:
            if events:
                await self._store.write(events)
        except Unavailable as exc:
            # The database is away for a moment: Busy (503 + Retry-After), which every SDK retries, not a 500 that
            # the OTel exporter would drop.
            log.warning("store unavailable, %d events refused for a retry: %s", len(events), exc)
            self._finish(group, error=True, busy=True)
            return
        except Exception:
            if len(group) == 1:
                if group[0].per_event and len(events) > 1:
                    await self._commit_each(group[0])
                    return
                log.exception("write failed for %d events", len(events))
                self._finish(group, error=True)
                return
            # Write each request alone, so one bad request cannot fail the others of its group.
            for job in group:
                await self._commit([job])
            return
        self._finish(group, error=False)

    async def _commit_each(self, job: _Job) -> None:
        """Write a refused request's events one at a time (folding does not depend on batching); report which
        could not be written."""
        failed: set[int] = set()
        for index, event in enumerate(job.events):
            try:
                await self._store.write([event])
            except Unavailable:
                self._finish([job], error=True, busy=True)
                return
            except Exception as exc:
                log.warning("event %d of %d could not be written: %s: %s", index, len(job.events),
                            type(exc).__name__, str(exc)[:300])  # fmt: skip
                failed.add(index)
        if len(failed) == len(job.events):
            log.error("write failed for all %d events of a request", len(job.events))
            self._finish([job], error=True)
            return
        self._finish([job], error=False, failed=failed)

    def _finish(self, group: list[_Job], *, error: bool, busy: bool = False, failed: set[int] | None = None) -> None:
        for job in group:
            self._queued -= len(job.events)
            if job.done.done():
                continue
            if busy:
                job.done.set_exception(Busy(retry_after=2))
            elif error:
                job.done.set_exception(RuntimeError("the store could not write these events"))
            else:
                job.done.set_result(failed or set())
