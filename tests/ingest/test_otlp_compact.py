"""`compact_trace_upserts` folds to the same trace record as the upserts it replaces, in any arrival order."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from spyglass.domain.events import TraceUpsert
from spyglass.domain.merge import fold
from spyglass.ingest.otlp import compact_trace_upserts

VALUES = st.sampled_from(["a", "b", "c"])
FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "name": VALUES, "user_id": VALUES, "session_id": VALUES, "release": VALUES, "public": st.booleans(),
        # span_events never sends an empty tag list or metadata map
        "tags": st.lists(VALUES, min_size=1, max_size=2),
        "metadata": st.dictionaries(VALUES, VALUES, min_size=1, max_size=2),
    },
)  # fmt: skip
WEAK = st.fixed_dictionaries({"timestamp": st.integers(1, 5)}, optional={"name": VALUES, "input": VALUES})
UPSERT = st.builds(
    lambda time, span, fields, weak: TraceUpsert("p", "t", (time, span), fields, weak),
    st.integers(1, 4), st.sampled_from(["s1", "s2", "s3"]), FIELDS, WEAK,
)  # fmt: skip


def _record(events: list[TraceUpsert]) -> dict[str, Any]:
    record = fold(None, events)
    record.pop("_ts")
    return record


@settings(max_examples=400, deadline=None)
# One order per span: two upserts with the same (end time, span id) are the same span sent twice.
@given(st.lists(UPSERT, min_size=1, max_size=6, unique_by=lambda u: u.order), st.randoms())
def test_compacted_upserts_fold_to_the_same_record(upserts: list[TraceUpsert], rnd: Any) -> None:
    shuffled = list(upserts)
    rnd.shuffle(shuffled)
    compacted = compact_trace_upserts(list(upserts))
    assert len(compacted) <= len(upserts) + 1
    assert _record(compacted) == _record(shuffled)
