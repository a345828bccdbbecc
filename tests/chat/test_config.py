"""Where the chat's settings come from: flags, environment, .env, the local server's key file; clear errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from tests.chat.conftest import chat_env

from spyglass.chat.config import ChatConfigError, load_chat_config


def test_defaults_with_nothing_set(tmp_path: Path) -> None:
    config = load_chat_config({}, {}, data_dir=tmp_path)
    assert config.langfuse_host == "http://localhost:3000"
    assert config.langfuse_public_key is None and config.keys_source == "nowhere"
    assert (config.backend, config.ollama_endpoint, config.ollama_model) == (
        "auto",
        "http://localhost:11434",
        "llama3.1:8b",
    )


def test_local_server_key_file_is_used_when_no_keys_are_set(tmp_path: Path) -> None:
    (tmp_path / "default-keys.env").write_text(
        "LANGFUSE_HOST=http://localhost:3001\nLANGFUSE_PUBLIC_KEY=pk-lf-1\nLANGFUSE_SECRET_KEY=sk-lf-1\n"
    )
    config = load_chat_config({}, {}, data_dir=tmp_path)
    assert (config.langfuse_host, config.langfuse_public_key, config.langfuse_secret_key) == (
        "http://localhost:3001",
        "pk-lf-1",
        "sk-lf-1",
    )
    assert config.keys_source == str(tmp_path / "default-keys.env")
    # SPYGLASS_DATA_DIR points at it too.
    assert load_chat_config({}, {"SPYGLASS_DATA_DIR": str(tmp_path)}).langfuse_public_key == "pk-lf-1"
    # Keys the user set win over the file.
    env = {"LANGFUSE_PUBLIC_KEY": "pk-lf-mine", "LANGFUSE_SECRET_KEY": "sk-lf-mine"}
    assert load_chat_config({}, env, data_dir=tmp_path).langfuse_public_key == "pk-lf-mine"


def test_dotenv_file_then_environment_then_flags(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "LANGFUSE_PUBLIC_KEY=pk-lf-file\nLANGFUSE_SECRET_KEY=sk-lf-file\nLANGFUSE_HOST=http://file:3000\n"
        "OLLAMA_ENDPOINT=http://gpu-box:11434\nOLLAMA_MODEL=qwen2.5:7b\nLANGFUSE_DEBUG=true\n"
    )
    config = load_chat_config({}, {"OLLAMA_MODEL": "mistral"}, env_file=dotenv, data_dir=tmp_path)
    assert config.langfuse_public_key == "pk-lf-file" and config.keys_source == str(dotenv)
    assert (config.langfuse_host, config.ollama_endpoint) == ("http://file:3000", "http://gpu-box:11434")
    assert config.ollama_model == "mistral" and config.langfuse_debug
    flags: dict[str, object | None] = {"ollama_model": "phi3", "langfuse_host": "http://flag:1/", "max_tokens": 9}
    config = load_chat_config(flags, {"OLLAMA_MODEL": "mistral"}, env_file=dotenv, data_dir=tmp_path)
    assert (config.ollama_model, config.langfuse_host, config.max_tokens) == ("phi3", "http://flag:1", 9)


def test_ollama_host_without_scheme_and_model_path_selects_embedded(tmp_path: Path) -> None:
    model = tmp_path / "tiny.gguf"
    model.write_bytes(b"GGUF")
    config = load_chat_config({"model_path": model}, {"OLLAMA_HOST": "127.0.0.1:11434"}, data_dir=tmp_path)
    assert config.ollama_endpoint == "http://127.0.0.1:11434"
    assert config.backend == "embedded" and config.model_path == model


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ({"backend": "llamafile"}, "backend must be one of auto, ollama, openai, embedded, got 'llamafile'"),
        ({"temperature": 3.0}, "temperature must be between 0 and 2, got 3.0"),
        ({"max_tokens": 0}, "max_tokens must be at least 1, got 0"),
        ({"model_path": "/nowhere/model.gguf"}, "model path /nowhere/model.gguf is not a file"),
    ],
)
def test_unusable_settings_are_named(tmp_path: Path, flags: dict[str, object | None], message: str) -> None:
    with pytest.raises(ChatConfigError, match=message.replace("(", r"\(").replace(".", r"\.")):
        load_chat_config(flags, {}, data_dir=tmp_path)


def test_bad_flag_is_a_usage_error_not_a_traceback(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "spyglass", "chat", "--temperature", "5", "--script", "-"],
        cwd=tmp_path,
        env=chat_env(),
        capture_output=True,
        text=True,
        timeout=60,
        input="",
    )
    assert done.returncode == 2
    assert "temperature must be between 0 and 2, got 5.0" in done.stderr
    assert "Traceback" not in done.stderr
