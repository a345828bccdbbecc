"""The prompt part of the storage contract, on every backend: versions, labels, tags, deletes, concurrent creates."""

from __future__ import annotations

import asyncio

import pytest

from spyglass.domain.prompts import InvalidPrompt, NewPrompt, PromptFilter, PromptType
from spyglass.store.base import NotFound, PageRequest, Store
from tests.store.test_contract import T0, observation, project, score

pytestmark = pytest.mark.anyio


def text(name: str, body: str, *labels: str, tags: tuple[str, ...] | None = None) -> NewPrompt:
    return NewPrompt(name=name, type=PromptType.TEXT, prompt=body, labels=labels, tags=tags, config={"t": 0.1})


async def test_versions_labels_and_tags(store_backend: Store) -> None:
    pid = await project(store_backend)
    first = await store_backend.create_prompt(pid, text("greet", "Hi {{name}}", "production", tags=("a",)))
    assert (first.version, set(first.labels), first.tags, first.config) == (1, {"production", "latest"}, ("a",),
                                                                            {"t": 0.1})  # fmt: skip
    second = await store_backend.create_prompt(pid, text("greet", "Hello {{name}}"))
    assert (second.version, second.labels, second.tags) == (2, ("latest",), ("a",))
    chat = NewPrompt(name="bot", type=PromptType.CHAT, prompt=[{"role": "system", "content": "Be brief."}])
    assert (await store_backend.create_prompt(pid, chat)).prompt == [{"role": "system", "content": "Be brief."}]
    assert (await store_backend.get_prompt(pid, "greet", label="production")).version == 1
    assert (await store_backend.get_prompt(pid, "greet", label="latest")).prompt == "Hello {{name}}"
    moved = await store_backend.update_prompt_labels(pid, "greet", 2, add=["production"])
    assert set(moved.labels) == {"production", "latest"}
    assert (await store_backend.get_prompt(pid, "greet", version=1)).labels == ()
    with pytest.raises(InvalidPrompt):
        await store_backend.update_prompt_labels(pid, "greet", 1, add=["latest"])
    with pytest.raises(NotFound):
        await store_backend.get_prompt(pid, "greet", version=9)
    with pytest.raises(NotFound):
        await store_backend.get_prompt(pid, "greet", label="nope")
    listing = await store_backend.list_prompts(pid, PromptFilter(), PageRequest())
    assert listing.total == 2 and {m.name for m in listing.items} == {"greet", "bot"}
    assert [
        m.versions for m in (await store_backend.list_prompts(pid, PromptFilter(tag="a"), PageRequest())).items
    ] == [(1, 2)]
    assert (await store_backend.list_prompts(pid, PromptFilter(label="production"), PageRequest())).items[
        0
    ].versions == (2,)
    assert await store_backend.delete_prompts(pid, "greet", version=2) == 1
    assert (await store_backend.get_prompt(pid, "greet", label="latest")).version == 1
    assert await store_backend.delete_prompts(pid, "greet") == 1
    with pytest.raises(NotFound):
        await store_backend.delete_prompts(pid, "greet")


async def test_concurrent_creates_number_versions_once(store_backend: Store) -> None:
    pid = await project(store_backend)
    created = await asyncio.gather(*(store_backend.create_prompt(pid, text("race", f"v{i}", "production"))
                                     for i in range(12)))  # fmt: skip
    assert sorted(p.version for p in created) == list(range(1, 13))
    versions = [await store_backend.get_prompt(pid, "race", version=v) for v in range(1, 13)]
    assert [v.version for v in versions if "latest" in v.labels] == [12]
    assert len([v for v in versions if "production" in v.labels]) == 1


async def test_usage_and_generations_of_a_prompt_version(store_backend: Store) -> None:
    pid = await project(store_backend)
    await store_backend.create_prompt(pid, text("p", "body"))
    events = []
    for i in range(3):
        events += observation(pid, f"g{i}", T0 + i, trace_id=f"t{i}", type="GENERATION", prompt_name="p",
                              prompt_version=1, start_time=T0 + i * 1_000_000, end_time=T0 + i * 1_000_000 + 500_000,
                              usage_details={"input": 2, "output": 1, "total": 3})  # fmt: skip
    events.append(score(pid, "sg", observation_id="g0", trace_id="t0", value=1.0))
    events.append(score(pid, "st", trace_id="t1", value=0.0))
    await store_backend.write(events)
    usage = await store_backend.prompt_usage(pid, "p", 1)
    assert (usage.generation_count, usage.trace_count, usage.total_tokens) == (3, 3, 9)
    assert usage.average_latency == pytest.approx(0.5)
    assert {(s.target, s.name, s.count) for s in usage.scores} == {
        ("observation", "quality", 1),
        ("trace", "quality", 1),
    }
    page = await store_backend.list_prompt_generations(pid, "p", 1, PageRequest(limit=2))
    assert page.total == 3 and [g.observation.id for g in page.items] == ["g2", "g1"]
    assert [s.id for s in page.items[1].trace_scores] == ["st"]
    with pytest.raises(NotFound):
        await store_backend.prompt_usage(pid, "p", 7)


async def test_search_by_part_of_the_name_and_generation_counts(store_backend: Store) -> None:
    pid = await project(store_backend)
    for name in ("team/Support-Bot", "team/sales", "other"):
        await store_backend.create_prompt(pid, text(name, "body"))
    await store_backend.create_prompt(pid, text("team/Support-Bot", "body 2"))
    found = await store_backend.list_prompts(pid, PromptFilter(search="support"), PageRequest())
    assert [m.name for m in found.items] == ["team/Support-Bot"] and found.items[0].versions == (1, 2)
    both = await store_backend.list_prompts(pid, PromptFilter(search="TEAM/"), PageRequest())
    assert sorted(m.name for m in both.items) == ["team/Support-Bot", "team/sales"] and both.total == 2
    assert (await store_backend.list_prompts(pid, PromptFilter(search="%"), PageRequest())).total == 0
    events = []
    for i, (name, version) in enumerate((("team/Support-Bot", 1), ("team/Support-Bot", 2), ("team/Support-Bot", 2),
                                         ("other", 1), ("team/sales", 1))):  # fmt: skip
        events += observation(pid, f"g{i}", T0 + i, trace_id="t", type="GENERATION", prompt_name=name,
                              prompt_version=version)  # fmt: skip
    await store_backend.write(events)
    counts = await store_backend.prompt_generation_counts(pid, ["team/Support-Bot", "other", "unknown"])
    assert counts == {("team/Support-Bot", 1): 1, ("team/Support-Bot", 2): 2, ("other", 1): 1}
    assert await store_backend.prompt_generation_counts(pid, []) == {}
    assert await store_backend.prompt_generation_counts(await project(store_backend, "another"), ["other"]) == {}
