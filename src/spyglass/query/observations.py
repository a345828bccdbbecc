"""What the public observation reads add to stored observations: the id of the prompt version each one links to."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from spyglass.domain.model import Observation
from spyglass.store.base import NotFound, Store

PromptRef = tuple[str, int]


async def prompt_ids(store: Store, project_id: str, observations: Iterable[Observation]) -> dict[PromptRef, str]:
    """(prompt name, version) -> that version's id, for every linked prompt version that exists.

    Observations name their prompt by name and version (that is what the SDKs send); Langfuse's reads also give
    the version's id as `promptId`. A page links few distinct versions, so each is looked up once.
    """
    refs = {(o.prompt_name, o.prompt_version) for o in observations}
    out: dict[PromptRef, str] = {}
    for name, version in refs:
        if name is None or version is None:
            continue
        with contextlib.suppress(NotFound):
            out[(name, version)] = (await store.get_prompt(project_id, name, version=version)).id
    return out


def prompt_id(ids: dict[PromptRef, str], observation: Observation) -> str | None:
    if observation.prompt_name is None or observation.prompt_version is None:
        return None
    return ids.get((observation.prompt_name, observation.prompt_version))
