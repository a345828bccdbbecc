"""Moving a project's records between stores, field stamps and write clocks included (used by `spyglass export` and
`spyglass import`). A capability of the SQL backends, not part of the Store protocol.

A record is the fold record of domain/merge.py: field values keyed by store field names, times as integer
microseconds since the epoch, input/output as JSON text, `_ts` (the order key that last set each field) and the
`created_at` / `updated_at` write clocks. Loading a record replaces a stored one with the same id, so importing the
same file twice changes nothing; the traces' roll-ups are recomputed from the loaded observations.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Protocol, runtime_checkable

from spyglass.domain.merge import Record
from spyglass.domain.model import Project
from spyglass.store.base import NotSupported, Store

KINDS = ("traces", "observations", "scores")


@runtime_checkable
class RecordTransfer(Protocol):
    def dump_records(self, project_id: str, kind: str, batch: int = 500) -> AsyncIterator[list[Record]]:
        """The project's records of `kind` (one of KINDS) in id order, `batch` at a time."""
        ...

    async def load_records(self, project_id: str, kind: str, records: Sequence[Record]) -> int:
        """Store `records` of `kind` under `project_id` (their own project ids are ignored); returns how many."""
        ...

    async def load_project(self, project: Project) -> Project:
        """The project with this id, else the one with this name, else `project` stored as it is."""
        ...


async def paged(fetch: Callable[[str | None], Awaitable[list[Record]]]) -> AsyncIterator[list[Record]]:
    """Pages of `fetch(after_id)` (records in id order after `after_id`) until one comes back empty."""
    after: str | None = None
    while records := await fetch(after):
        yield records
        after = str(records[-1]["id"])


def record_transfer(store: Store) -> RecordTransfer:
    """The store's record transfer; raises NotSupported for a backend without one."""
    if isinstance(store, RecordTransfer):
        return store
    from spyglass.store.sqlite.store import SqliteStore

    if isinstance(store, SqliteStore):
        from spyglass.store.sqlite.transfer import SqliteTransfer

        return SqliteTransfer(store)
    raise NotSupported(f"{type(store).__name__} cannot export or import records")
