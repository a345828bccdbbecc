"""`spyglass prompts list|show|push|label` through the real command line app, on a real SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from spyglass.cli import app
from tests.support.server import ServerProcess

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    result = runner.invoke(app, ["projects", "create", "default", "--data-dir", str(path)])
    assert result.exit_code == 0, result.output
    return path


def spyglass(data_dir: Path, *args: str) -> str:
    result = runner.invoke(app, ["prompts", *args, "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    return result.output


def failing(data_dir: Path, *args: str) -> str:
    result = runner.invoke(app, ["prompts", *args, "--data-dir", str(data_dir)])
    assert result.exit_code != 0, result.output
    return result.output


def test_push_text_and_chat_then_list_and_show(data_dir: Path, tmp_path: Path) -> None:
    text = tmp_path / "system.txt"
    text.write_text("You are a {{tone}} assistant.")
    chat = tmp_path / "chat.json"
    chat.write_text(json.dumps([{"role": "system", "content": "Be {{tone}}"}, {"type": "placeholder", "name": "h"}]))

    out = spyglass(data_dir, "push", "assistant", str(text), "--label", "production", "--tag", "chatbot",
                   "--config", '{"temperature": 0.3}', "-m", "first")  # fmt: skip
    assert "assistant v1 (text)" in out
    assert "production" in out
    assert "assistant v2 (text)" in spyglass(data_dir, "push", "assistant", str(text))
    assert "team/chat v1 (chat)" in spyglass(data_dir, "push", "team/chat", str(chat))

    listed = spyglass(data_dir, "list")
    assert "assistant  text  versions 1,2  labels: production, latest  tags: chatbot" in listed
    assert "team/chat  chat  versions 1" in listed

    shown = spyglass(data_dir, "show", "assistant")
    assert "assistant v1 (text)  labels: production" in shown
    assert 'config: {"temperature": 0.3}' in shown
    assert "message: first" in shown
    assert "You are a {{tone}} assistant." in shown
    as_json = json.loads(spyglass(data_dir, "show", "team/chat", "--label", "latest", "--json"))
    assert as_json["prompt"][1] == {"type": "placeholder", "name": "h"}
    assert "[placeholder: h]" in spyglass(data_dir, "show", "team/chat", "--version", "1")


def test_push_a_json_object_with_every_field(data_dir: Path, tmp_path: Path) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"prompt": "Hi {{name}}", "config": {"model": "m"}, "labels": ["staging"],
                                "tags": ["a"], "commitMessage": "from file"}))  # fmt: skip
    spyglass(data_dir, "push", "greeter", str(spec))
    shown = json.loads(spyglass(data_dir, "show", "greeter", "--label", "staging", "--json"))
    assert shown["config"] == {"model": "m"}
    assert shown["tags"] == ["a"]
    assert shown["commitMessage"] == "from file"
    assert shown["type"] == "text"


def test_label_moves_and_removes(data_dir: Path, tmp_path: Path) -> None:
    text = tmp_path / "p.txt"
    text.write_text("x")
    spyglass(data_dir, "push", "p", str(text), "-l", "production")
    spyglass(data_dir, "push", "p", str(text))
    assert "p v2 (text)  labels: production, latest" in spyglass(data_dir, "label", "p", "2", "production")
    assert "labels: -" in spyglass(data_dir, "show", "p", "--version", "1")
    assert "p v2 (text)  labels: latest" in spyglass(data_dir, "label", "p", "2", "--remove", "production")


def test_bad_input_is_reported(data_dir: Path, tmp_path: Path) -> None:
    text = tmp_path / "p.txt"
    text.write_text("x")
    assert "not allowed" in failing(data_dir, "push", "p", str(text), "--label", "in production")
    assert "Error: Prompt not found" in failing(data_dir, "show", "missing")
    assert "cannot read" in failing(data_dir, "push", "p", str(tmp_path / "nope.txt"))
    bad = tmp_path / "bad.json"
    bad.write_text('{"no": "prompt"}')
    assert "'prompt' key" in failing(data_dir, "push", "p", str(bad))
    chat = tmp_path / "chat.json"
    chat.write_text('[{"role": "user"}]')
    assert "content must be a string" in failing(data_dir, "push", "p", str(chat))
    spyglass(data_dir, "push", "p", str(text))
    assert "has no version 7" in failing(data_dir, "label", "p", "7", "production")
    assert "at least one label" in failing(data_dir, "label", "p", "1")


@pytest.mark.slow
def test_a_pushed_prompt_is_served_to_sdks(server: ServerProcess, tmp_path: Path) -> None:
    text = tmp_path / "system.txt"
    text.write_text("Answer briefly.")
    spyglass(server.data_dir, "push", "chat-system-prompt", str(text), "--label", "production")
    response = httpx.get(f"{server.url}/api/public/v2/prompts/chat-system-prompt", auth=server.auth)
    assert response.status_code == 200
    assert response.json()["prompt"] == "Answer briefly."
