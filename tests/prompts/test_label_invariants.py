"""Label invariants under any sequence of creates, label changes and deletes (property test on the SQLite store).

After every step: versions are distinct, `latest` is on the newest version and nowhere else, every other label is on
at most one version, and the store agrees with a plain-Python model of the rules.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spyglass.domain.prompts import LATEST, InvalidPrompt, NewPrompt, PromptType
from spyglass.store.base import NotFound
from spyglass.store.sqlite.store import SqliteStore

LABELS = st.lists(st.sampled_from(["production", "staging", "canary", LATEST]), max_size=3, unique=True)
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("create"), LABELS),
        st.tuples(st.just("label"), st.integers(1, 6), LABELS, LABELS),
        st.tuples(st.just("delete"), st.integers(1, 6)),
    ),
    min_size=1,
    max_size=12,
)


async def _check(ops: list[tuple[object, ...]], folder: Path) -> None:
    store = SqliteStore(folder / "p.db")
    await store.migrate()
    project = (await store.create_project("p")).id
    model: dict[int, set[str]] = {}  # version -> labels
    try:
        for op in ops:
            if op[0] == "create":
                labels = tuple(op[1])  # type: ignore[arg-type]
                created = await store.create_prompt(project, NewPrompt("p", PromptType.TEXT, "x", labels=labels))
                assert created.version == max(model, default=0) + 1
                for held in model.values():
                    held.difference_update({*labels, LATEST})
                model[created.version] = {*labels, LATEST}
            elif op[0] == "label":
                _, version, add, remove = op
                assert isinstance(version, int) and isinstance(add, list) and isinstance(remove, list)
                try:
                    await store.update_prompt_labels(project, "p", version, add, remove)
                except NotFound:
                    assert version not in model
                    continue
                except InvalidPrompt:
                    assert LATEST in add and version != max(model)
                    continue
                moving = {label for label in add if label != LATEST}
                for held in model.values():
                    held.difference_update(moving)
                model[version] |= moving
                model[version] -= {label for label in remove if label != LATEST and label not in moving}
            else:
                version = op[1]
                assert isinstance(version, int)
                try:
                    await store.delete_prompts(project, "p", version=version)
                except NotFound:
                    assert version not in model
                    continue
                del model[version]
                if model:
                    model[max(model)].add(LATEST)
            await _compare(store, project, model)
    finally:
        await store.close()


async def _compare(store: SqliteStore, project: str, model: dict[int, set[str]]) -> None:
    stored = {}
    for version in model:
        stored[version] = set((await store.get_prompt(project, "p", version=version)).labels)
    assert stored == model
    everywhere = [label for labels in stored.values() for label in labels]
    assert len(everywhere) == len(set(everywhere))  # each label on at most one version
    if model:
        assert LATEST in stored[max(model)]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(OPS)
def test_labels_follow_the_rules(ops: list[tuple[object, ...]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(_check(ops, Path(folder)))
