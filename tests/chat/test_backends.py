"""The Ollama and OpenAI-compatible backends through `spyglass chat`, their failures, and a Spyglass that is down.

Ollama is played by tests/chat/ollama_standin.py (Ollama cannot be installed here); the OpenAI-compatible endpoint is
the embedded llama.cpp runtime's own HTTP server.
"""

from __future__ import annotations

from pathlib import Path

import pexpect
import pytest
from tests.chat.conftest import (
    SHORT,
    STANDIN_MODEL,
    answers,
    observation,
    run_chat_script,
    spawn_chat,
    trace_detail,
    traces_of,
)
from tests.chat.ollama_standin import OllamaStandIn
from tests.support.server import ServerProcess, free_port

from spyglass.chat.embedded import EmbeddedBackend

pytestmark = pytest.mark.slow


def test_auto_picks_ollama_when_it_answers(server: ServerProcess, ollama: OllamaStandIn, tmp_path: Path) -> None:
    args = ["--ollama-endpoint", ollama.url, "--ollama-model", STANDIN_MODEL, *SHORT]
    done = run_chat_script(["Hello!", "/feedback 5", "exit"], args, tmp_path, server.sdk_env())
    assert done.returncode == 0, done.stderr
    assert f"Model: {STANDIN_MODEL} via Ollama." in done.stdout
    assert "Feedback recorded!" in done.stdout
    assert ollama.chat_requests[0]["stream"] is True
    assert ollama.chat_requests[0]["options"] == {"temperature": 0, "num_predict": 16}

    (trace,) = traces_of(server, name="chat_turn")
    generation = observation(trace_detail(server, trace["id"]), "llm_response")
    text, usage = ollama.answers[0]
    assert generation["model"] == STANDIN_MODEL
    assert generation["output"] == text and text.strip() == answers(done.stdout)[0]
    # Token counts come from Ollama's prompt_eval_count / eval_count.
    assert (generation["usage"]["input"], generation["usage"]["output"]) == (usage.input, usage.output)
    assert usage.input > 0 and usage.output > 0


def test_unknown_ollama_model_is_an_error_turn_and_the_next_turn_works(
    server: ServerProcess, ollama: OllamaStandIn, tmp_path: Path
) -> None:
    ollama.models = set()
    args = ["--backend", "ollama", "--ollama-endpoint", ollama.url, "--ollama-model", STANDIN_MODEL, *SHORT]
    child = spawn_chat(args, tmp_path, server.sdk_env())
    child.expect("You: ")
    child.sendline("Hello?")
    child.expect(r"\[error\] ([^\r\n]+)")
    message = child.match.group(1)
    assert message.startswith(f'Ollama: model "{STANDIN_MODEL}" not found, try pulling it first')
    child.expect("You: ")
    ollama.models = {STANDIN_MODEL}  # as after `ollama pull`
    child.sendline("Hello again")
    child.expect("You: ")
    child.sendline("quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    failed, worked = traces_of(server, name="chat_turn")
    assert failed["level"] == "ERROR" and worked["level"] == "DEFAULT"
    generation = observation(trace_detail(server, failed["id"]), "llm_response")
    assert generation["level"] == "ERROR" and generation["statusMessage"] == message
    assert observation(trace_detail(server, worked["id"]), "llm_response")["output"].strip()
    # The failed message is not part of the conversation.
    assert [m["content"] for m in ollama.chat_requests[-1]["messages"][1:]] == ["Hello again"]


def test_ollama_down_is_an_error_turn_and_the_chat_recovers(
    server: ServerProcess, ollama: OllamaStandIn, tmp_path: Path
) -> None:
    ollama.stop()
    args = ["--backend", "ollama", "--ollama-endpoint", ollama.url, "--ollama-model", STANDIN_MODEL, *SHORT]
    child = spawn_chat(args, tmp_path, server.sdk_env())
    child.expect("You: ")
    child.sendline("Anyone there?")
    child.expect(r"\[error\] ([^\r\n]+)")
    message = child.match.group(1)
    assert message == f"Cannot reach Ollama at {ollama.url}: connection refused"
    child.expect("You: ")
    ollama.start()
    child.sendline("And now?")
    child.expect("You: ")
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()

    failed, worked = traces_of(server, name="chat_turn")
    assert (failed["level"], worked["level"]) == ("ERROR", "DEFAULT")
    assert observation(trace_detail(server, failed["id"]), "llm_response")["statusMessage"] == message


def test_openai_backend_against_the_runtime_openai_server(
    server: ServerProcess, embedded_model: EmbeddedBackend, tmp_path: Path
) -> None:
    args = ["--openai-base-url", embedded_model.openai_base_url, "--openai-model", "smollm2-served", *SHORT]
    done = run_chat_script(["Hi there", "What is 1+1?", "exit"], args, tmp_path, server.sdk_env())
    assert done.returncode == 0, done.stderr
    assert f"Model: smollm2-served via the OpenAI-compatible endpoint {embedded_model.openai_base_url}." in done.stdout
    printed = answers(done.stdout)
    traces = traces_of(server, name="chat_turn")
    assert len(traces) == 2 == len(printed)
    for trace, shown in zip(traces, printed, strict=True):
        generation = observation(trace_detail(server, trace["id"]), "llm_response")
        assert generation["model"] == "smollm2-served"
        assert generation["output"].strip() == shown
        assert generation["usage"]["input"] > 0 and generation["usage"]["output"] > 0


def test_openai_endpoint_down(server: ServerProcess, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    done = run_chat_script(["Hello"], ["--backend", "openai", "--openai-base-url", url], tmp_path, server.sdk_env())
    assert done.returncode == 0, done.stderr
    expected = f"Cannot reach the OpenAI-compatible endpoint at {url}: connection refused"
    assert f"[error] {expected}" in done.stdout
    (trace,) = traces_of(server, name="chat_turn")
    assert trace["level"] == "ERROR"
    assert observation(trace_detail(server, trace["id"]), "llm_response")["statusMessage"] == expected


def test_spyglass_down_does_not_stop_the_chat(ollama: OllamaStandIn, tmp_path: Path) -> None:
    host = f"http://127.0.0.1:{free_port()}"
    env = {"LANGFUSE_HOST": host, "LANGFUSE_PUBLIC_KEY": "pk-lf-x", "LANGFUSE_SECRET_KEY": "sk-lf-x"}
    args = ["--ollama-endpoint", ollama.url, "--ollama-model", STANDIN_MODEL, *SHORT]
    done = run_chat_script(["Hello", "/feedback 3", "Bye now"], args, tmp_path, env)
    assert done.returncode == 0, done.stderr
    assert f"Spyglass at {host} did not answer" in done.stdout
    assert len([a for a in answers(done.stdout) if a]) == 2
    assert "Traceback" not in done.stdout + done.stderr


def test_ollama_that_does_not_answer_in_time(server: ServerProcess, ollama: OllamaStandIn, tmp_path: Path) -> None:
    ollama.delay = 4
    args = ["--backend", "ollama", "--ollama-endpoint", ollama.url, "--ollama-model", STANDIN_MODEL, "--timeout", "1"]
    done = run_chat_script(["Hello"], args, tmp_path, server.sdk_env())
    assert done.returncode == 0, done.stderr
    expected = f"Ollama at {ollama.url} did not answer within 1 s"
    assert f"[error] {expected}" in done.stdout
    (trace,) = traces_of(server, name="chat_turn")
    assert observation(trace_detail(server, trace["id"]), "llm_response")["statusMessage"] == expected


def test_auto_says_why_it_did_not_pick_ollama(ollama: OllamaStandIn, tmp_path: Path) -> None:
    ollama.models = {"llama3.2:1b"}
    done = run_chat_script(["exit"], ["--ollama-endpoint", ollama.url, "--ollama-model", "qwen3:8b"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert (
        f"Model: embedded SmolLM2-135M-Instruct (Ollama at {ollama.url} has no model qwen3:8b; "
        "`ollama pull qwen3:8b` to use it)." in done.stdout
    )
    assert "Tracing off: no Langfuse keys" in done.stdout


def test_keys_the_server_refuses_are_named(server: ServerProcess, tmp_path: Path) -> None:
    env = {**server.sdk_env(), "LANGFUSE_PUBLIC_KEY": "pk-lf-wrong", "LANGFUSE_SECRET_KEY": "sk-lf-wrong"}
    done = run_chat_script(["exit"], ["--backend", "embedded"], tmp_path, env)
    assert done.returncode == 0, done.stderr
    assert f"Spyglass at {server.url} refused the keys from environment; turns are lost." in done.stdout
