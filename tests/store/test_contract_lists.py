"""The UI list part of the storage contract, on every backend: keyset pages of traces, sessions and users."""

from __future__ import annotations

import pytest

from spyglass.domain.listing import Cursor, SortField, TraceQuery
from spyglass.store.base import Store
from tests.store.test_contract import SECOND, T0, observation, project, score, trace

pytestmark = pytest.mark.anyio


async def _fill(store: Store) -> str:
    pid = await project(store)
    events = []
    for i in range(9):
        events.append(trace(pid, f"t{i}", T0 + i * SECOND, timestamp=T0 + i * SECOND, session_id=f"s{i % 4}",
                            user_id=f"u{i % 3}", input=f'"question number {i} about Ünïcode"',
                            output='"an answer"'))  # fmt: skip
        events += observation(pid, f"g{i}", T0 + i * SECOND, trace_id=f"t{i}", type="GENERATION",
                              start_time=T0 + i * SECOND, end_time=T0 + i * SECOND + (9 - i) * 100_000,
                              usage_details={"input": i, "total": i}, cost_details={"total": i / 100})  # fmt: skip
    events.append(score(pid, "sc", trace_id="t8", value=0.5))
    await store.write(events)
    return pid


async def test_trace_rows_page_by_every_sort_without_gaps(store_backend: Store) -> None:
    pid = await _fill(store_backend)
    for sort in SortField:
        for descending in (True, False):
            seen: list[str] = []
            cursor: Cursor | None = None
            while True:
                page = await store_backend.list_trace_rows(pid, TraceQuery(sort=sort, descending=descending), cursor, 4)
                seen += [row.id for row in page.items]
                if page.next_cursor is None:
                    break
                cursor = page.next_cursor
            assert sorted(seen) == [f"t{i}" for i in range(9)], (sort, descending, seen)
    newest = await store_backend.list_trace_rows(pid, TraceQuery(), None, 2)
    assert [r.id for r in newest.items] == ["t8", "t7"] and newest.items[0].scores[0].name == "quality"
    assert newest.items[0].input_preview == "question number 8 about Ünïcode"
    found = await store_backend.list_trace_rows(pid, TraceQuery(search="NUMBER 3 ABOUT Ünïcode"), None, 10)
    assert [r.id for r in found.items] == ["t3"]  # any substring; ASCII letters in any case
    assert (await store_backend.list_trace_rows(pid, TraceQuery(search="er 5"), None, 10)).items[0].id == "t5"


async def test_recent_sessions_and_users_page_by_their_latest_trace(store_backend: Store) -> None:
    pid = await _fill(store_backend)
    for lister, expected in ((store_backend.list_recent_sessions, ["s0", "s3", "s2", "s1"]),
                             (store_backend.list_recent_users, ["u2", "u1", "u0"])):  # fmt: skip
        seen: list[str] = []
        cursor: Cursor | None = None
        while True:
            page = await lister(pid, cursor, 2)  # type: ignore[operator]
            seen += [item.user_id if hasattr(item, "user_id") else item.id for item in page.items]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert seen == expected
