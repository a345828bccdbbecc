"""Chat settings: one frozen dataclass from flags, the environment, a `.env` file and the local server's key file.

Highest first: command-line flags, the process environment, `.env` (python-dotenv), and, for the Langfuse keys
only, `<data-dir>/default-keys.env`, which `spyglass serve` writes on first start. The variable names are the ones
users already have: `LANGFUSE_*`, `OLLAMA_*`, `OPENAI_*`.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dotenv import dotenv_values

BACKENDS = ("auto", "ollama", "openai", "embedded")
DEFAULT_HOST = "http://localhost:3000"


class ChatConfigError(ValueError):
    """A setting has a value the chat cannot use; the message names the setting."""


@dataclass(frozen=True, slots=True)
class ChatConfig:
    langfuse_host: str = DEFAULT_HOST
    langfuse_public_key: str | None = None
    langfuse_secret_key: str | None = None
    langfuse_debug: bool = False
    # Where the keys came from, for the start-up line ("environment", "/path/.env", ".spyglass/default-keys.env").
    keys_source: str = "nowhere"
    backend: str = "auto"
    ollama_endpoint: str = "http://localhost:11434"
    ollama_model: str = "llama3.1:8b"
    openai_base_url: str | None = None
    openai_api_key: str | None = None
    openai_model: str = "gpt-4o-mini"
    model_path: Path | None = None
    temperature: float = 0.7
    max_tokens: int = 256
    # Seconds to wait for the LLM to start answering (and between two streamed pieces).
    timeout: float = 120.0
    user_id: str = "local-user"
    tags: tuple[str, ...] = ("spyglass-chat",)


_DEFAULT = ChatConfig()


def _flag_or(flags: Mapping[str, object | None], name: str, fallback: object) -> object:
    value = flags.get(name)
    return fallback if value is None else value


def _number(name: str, raw: object, kind: type[float] | type[int]) -> float:
    try:
        value = kind(str(raw))
    except ValueError:
        raise ChatConfigError(f"{name} must be a number, got {raw!r}") from None
    return value


def load_chat_config(
    flags: Mapping[str, object | None] | None = None,
    env: Mapping[str, str] | None = None,
    *,
    env_file: Path | None = None,
    data_dir: Path | None = None,
) -> ChatConfig:
    """Build the chat settings. `flags` uses ChatConfig field names; a None flag means "not given".

    `env_file` defaults to `./.env` (read only if it exists); `data_dir` defaults to `$SPYGLASS_DATA_DIR` or
    `./.spyglass`. Raises ChatConfigError for a value that cannot be used.
    """
    flags = flags or {}
    process_env = os.environ if env is None else env
    file_path = env_file if env_file is not None else Path(".env")
    if env_file is not None and not env_file.is_file():
        raise ChatConfigError(f"--env-file {env_file} does not exist")
    from_file = {k: v for k, v in dotenv_values(file_path).items() if v is not None} if file_path.is_file() else {}
    merged: dict[str, str] = {**from_file, **{k: v for k, v in process_env.items() if v != ""}}

    def get(*names: str) -> str | None:
        for name in names:
            if merged.get(name):
                return merged[name]
        return None

    host = get("LANGFUSE_BASE_URL", "LANGFUSE_HOST")
    public_key = get("LANGFUSE_PUBLIC_KEY")
    secret_key = get("LANGFUSE_SECRET_KEY")
    keys_source = "environment"
    if any(k in from_file and k not in process_env for k in ("LANGFUSE_PUBLIC_KEY", "LANGFUSE_SECRET_KEY")):
        keys_source = str(file_path)
    if public_key is None and secret_key is None:
        directory = data_dir or Path(get("SPYGLASS_DATA_DIR") or ".spyglass")
        key_file = directory / "default-keys.env"
        if key_file.is_file():
            local = dotenv_values(key_file)
            public_key, secret_key = local.get("LANGFUSE_PUBLIC_KEY"), local.get("LANGFUSE_SECRET_KEY")
            host = host or local.get("LANGFUSE_HOST")
            keys_source = str(key_file)
        else:
            keys_source = "nowhere"

    backend = str(_flag_or(flags, "backend", get("SPYGLASS_CHAT_BACKEND") or "auto"))
    if backend not in BACKENDS:
        raise ChatConfigError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
    model_path_raw = _flag_or(flags, "model_path", get("SPYGLASS_CHAT_MODEL_PATH"))
    model_path = Path(str(model_path_raw)).expanduser() if model_path_raw else None
    if model_path is not None and not model_path.is_file():
        raise ChatConfigError(f"model path {model_path} is not a file (expected a .gguf model)")

    temperature = _number("temperature", _flag_or(flags, "temperature", get("SPYGLASS_CHAT_TEMPERATURE") or 0.7), float)
    max_tokens = int(_number("max_tokens", _flag_or(flags, "max_tokens", get("SPYGLASS_CHAT_MAX_TOKENS") or 256), int))
    timeout = _number("timeout", _flag_or(flags, "timeout", get("SPYGLASS_CHAT_TIMEOUT") or 120), float)
    if not 0 <= temperature <= 2:
        raise ChatConfigError(f"temperature must be between 0 and 2, got {temperature}")
    if max_tokens < 1:
        raise ChatConfigError(f"max_tokens must be at least 1, got {max_tokens}")
    if timeout <= 0:
        raise ChatConfigError(f"timeout must be positive, got {timeout}")

    tags_raw = _flag_or(flags, "tags", get("SPYGLASS_CHAT_TAGS"))
    tags = tuple(t.strip() for t in str(tags_raw).split(",") if t.strip()) if tags_raw else _DEFAULT.tags
    try:
        default_user = getpass.getuser()
    except (KeyError, OSError):
        default_user = _DEFAULT.user_id

    return ChatConfig(
        langfuse_host=str(_flag_or(flags, "langfuse_host", host or DEFAULT_HOST)).rstrip("/"),
        langfuse_public_key=public_key,
        langfuse_secret_key=secret_key,
        langfuse_debug=(get("LANGFUSE_DEBUG") or "false").lower() in ("1", "true", "yes"),
        keys_source=keys_source,
        backend="embedded" if model_path is not None and backend == "auto" else backend,
        ollama_endpoint=_url(_flag_or(flags, "ollama_endpoint", get("OLLAMA_ENDPOINT", "OLLAMA_HOST"))),
        ollama_model=str(_flag_or(flags, "ollama_model", get("OLLAMA_MODEL") or _DEFAULT.ollama_model)),
        openai_base_url=_optional(_flag_or(flags, "openai_base_url", get("OPENAI_BASE_URL"))),
        openai_api_key=get("OPENAI_API_KEY"),
        openai_model=str(_flag_or(flags, "openai_model", get("OPENAI_MODEL") or _DEFAULT.openai_model)),
        model_path=model_path,
        temperature=temperature,
        max_tokens=max_tokens,
        timeout=timeout,
        user_id=str(_flag_or(flags, "user_id", get("SPYGLASS_CHAT_USER_ID") or default_user)),
        tags=tags,
    )


def _url(value: object) -> str:
    """An Ollama address; `OLLAMA_HOST` is often written without a scheme (`127.0.0.1:11434`)."""
    text = str(value or _DEFAULT.ollama_endpoint).rstrip("/")
    return text if "://" in text else f"http://{text}"


def _optional(value: object) -> str | None:
    return str(value).rstrip("/") if value else None
