"""`spyglass chat` in a pseudo-terminal with the embedded model, read back through the public API."""

from __future__ import annotations

from pathlib import Path

import pexpect
import pytest
from tests.chat.conftest import SHORT, answers, observation, run_chat_script, spawn_chat, trace_detail, traces_of
from tests.support.server import ServerProcess

from spyglass.chat.embedded import bundled_model_path

pytestmark = pytest.mark.slow


def test_conversation_feedback_and_new_session_show_up_in_spyglass(server: ServerProcess, tmp_path: Path) -> None:
    # Nothing configured: the chat finds the local server's first key pair in <data-dir>/default-keys.env.
    key_file = server.data_dir / "default-keys.env"
    assert key_file.is_file()
    child = spawn_chat(
        ["--data-dir", str(server.data_dir), "--host", server.url, "--ollama-endpoint", "http://127.0.0.1:9", *SHORT],
        tmp_path,
    )
    child.expect("You: ")
    banner = child.before.replace("\r\n", "\n")
    assert f"Connected to Spyglass at {server.url} (project: default)." in banner
    assert "Model: embedded SmolLM2-135M-Instruct (no Ollama found at http://127.0.0.1:9" in banner

    child.sendline("/help")
    child.expect("/feedback N \\[comment\\]")
    child.expect("You: ")
    child.sendline("/feedback 4")
    child.expect("Nothing to rate yet")
    child.expect("You: ")
    for line in ["Hello! Who are you?", "What is the capital of France?", "/feedback 9", "/feedback 4 good", "/new"]:
        child.sendline(line)
        child.expect("You: ")
    child.sendintr()  # Ctrl-C at the prompt does not end the chat
    child.expect("exit, quit or Ctrl-D leaves")
    child.expect("You: ")
    child.sendline("Say hi")
    child.expect("You: ")
    child.sendline("exit")
    child.expect("Bye.")
    child.expect(pexpect.EOF)
    child.close()
    printed = answers(child.logfile_read.getvalue())
    assert child.exitstatus == 0
    assert len(printed) == 3 and all(printed)
    screen = child.logfile_read.getvalue()
    assert "Usage: /feedback N [comment], with N from 1 (bad) to 5 (great)." in screen
    assert screen.count("Feedback recorded!") == 1 and "Started a new conversation" in screen

    traces = traces_of(server, name="chat_turn")
    assert len(traces) == 3
    sessions = [t["sessionId"] for t in traces]
    assert sessions[0] == sessions[1] != sessions[2]
    with server.client() as client:
        listed = client.get("/api/public/sessions").json()["data"]
        assert {s["id"] for s in listed} == set(sessions)
        scores = client.get("/api/public/scores", params={"name": "user_feedback"}).json()["data"]
        prompt = client.get("/api/public/v2/prompts/chat-system-prompt").json()
    assert prompt["version"] == 1 and "production" in prompt["labels"]

    assert [(s["traceId"], s["value"], s["comment"]) for s in scores] == [(traces[1]["id"], 4.0, "good")]
    assert all(t["userId"] and t["tags"] == ["spyglass-chat"] for t in traces)
    assert [int(t["metadata"]["conversation_length"]) for t in traces] == [1, 3, 1]
    assert [t["input"] for t in traces] == ["Hello! Who are you?", "What is the capital of France?", "Say hi"]

    for number, trace in enumerate(traces):
        detail = trace_detail(server, trace["id"])
        assert detail["level"] == "DEFAULT"
        generation = observation(detail, "llm_response")
        processing = observation(detail, "response_processing")
        assert generation["type"] == "GENERATION" and processing["type"] == "SPAN"
        assert generation["model"] == "SmolLM2-135M-Instruct"
        assert generation["modelParameters"] == {"temperature": 0, "max_tokens": 16, "stream": True}
        messages = generation["input"]
        assert messages[0] == {"role": "system", "content": prompt["prompt"]}
        assert messages[-1] == {"role": "user", "content": trace["input"]}
        assert len(messages) == (4 if number == 1 else 2)  # the second turn carries the first one
        assert generation["output"].strip() == printed[number]  # what the user saw
        assert generation["usage"]["input"] > 0 and generation["usage"]["output"] > 0
        assert generation["completionStartTime"] is not None
        assert (generation["promptName"], generation["promptVersion"]) == ("chat-system-prompt", 1)
        assert processing["output"] == generation["output"].strip() == trace["output"]
        assert all(o["level"] == "DEFAULT" for o in detail["observations"])


def test_ctrl_c_stops_the_answer_and_the_conversation_goes_on(server: ServerProcess, tmp_path: Path) -> None:
    child = spawn_chat(
        ["--backend", "embedded", "--max-tokens", "64", "--temperature", "0"], tmp_path, server.sdk_env()
    )
    child.expect("You: ")
    child.sendline("Write a very long story about a lighthouse keeper and the sea.")
    child.expect("Bot: ")
    child.expect(r"\w+ \w+ \w+")  # a few words are on the screen: the answer is streaming
    child.sendintr()
    child.expect(r"\[stopped\]")
    child.expect("You: ")
    child.sendline("Thanks!")
    child.expect("You: ")
    child.sendeof()
    child.expect("Bye.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    first, second = traces_of(server, name="chat_turn")
    assert first["sessionId"] == second["sessionId"]  # the session was kept
    stopped = observation(trace_detail(server, first["id"]), "llm_response")
    assert stopped["level"] == "WARNING" and stopped["statusMessage"] == "stopped by the user (Ctrl-C)"
    assert stopped["output"].strip() and stopped["usage"]["output"] < 64
    follow_up = observation(trace_detail(server, second["id"]), "llm_response")
    # The partial answer stays in the conversation.
    assert follow_up["input"][-2] == {"role": "assistant", "content": stopped["output"].strip()}
    assert follow_up["level"] == "DEFAULT" and follow_up["output"].strip()


def test_model_path_runs_a_local_gguf_file(server: ServerProcess, tmp_path: Path) -> None:
    model = tmp_path / "my-model.gguf"
    model.symlink_to(bundled_model_path() or Path("missing"))
    done = run_chat_script(["Hello"], ["--model-path", str(model), *SHORT], tmp_path, server.sdk_env())
    assert done.returncode == 0, done.stderr
    assert f"Model: my-model from {model}, embedded." in done.stdout
    (trace,) = traces_of(server, name="chat_turn")
    generation = observation(trace_detail(server, trace["id"]), "llm_response")
    assert generation["model"] == "my-model" and generation["output"].strip() == answers(done.stdout)[0]


def test_a_file_that_is_not_a_model_stops_the_chat_with_a_message(tmp_path: Path) -> None:
    model = tmp_path / "notes.gguf"
    model.write_text("not a model")
    done = run_chat_script(["Hello"], ["--model-path", str(model)], tmp_path)
    assert done.returncode == 2
    assert "The embedded runtime cannot load" in done.stderr and "Traceback" not in done.stderr


def test_a_conversation_too_long_for_the_model_is_an_error_turn(server: ServerProcess, tmp_path: Path) -> None:
    done = run_chat_script(["word " * 5000, "Hi"], ["--backend", "embedded", *SHORT], tmp_path, server.sdk_env())
    assert done.returncode == 0, done.stderr
    assert "its context holds 4096): /new starts a new one" in done.stdout
    failed, worked = traces_of(server, name="chat_turn")
    assert (failed["level"], worked["level"]) == ("ERROR", "DEFAULT")
    assert "too long for the model" in observation(trace_detail(server, failed["id"]), "llm_response")["statusMessage"]
