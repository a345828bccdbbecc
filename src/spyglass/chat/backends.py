"""LLM backends behind one small interface: Ollama, any OpenAI-compatible endpoint, and the embedded runtime.

A backend streams an answer as text pieces followed by one Usage; a failure raises LLMError with a message fit to
show the user. Closing the stream early (Ctrl-C) stops the generation. No tracing here; see tracing.py.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import Protocol, TypedDict, cast

import httpx


class Message(TypedDict):
    role: str
    content: str


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts as the backend reported them (0 when it reported none)."""

    input: int
    output: int


@dataclass(frozen=True, slots=True)
class GenerationParams:
    temperature: float
    max_tokens: int


class LLMError(Exception):
    """An LLM call failed: endpoint down, timeout, unknown model, bad request. str() is the user-facing message."""


class Backend(Protocol):
    @property
    def label(self) -> str:
        """How the start-up line names it: "Ollama", "OpenAI-compatible endpoint at ...", "embedded runtime"."""

    @property
    def model(self) -> str:
        """The model name recorded on generations."""

    def stream(self, messages: Sequence[Message], params: GenerationParams) -> Generator[str | Usage, None, None]:
        """Yield text pieces as they arrive, then exactly one Usage. Raises LLMError."""

    def close(self) -> None: ...


def _reason(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.ConnectError):
        return "connection refused" if "refused" in str(exc).lower() else f"cannot connect ({exc})"
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    return str(exc) or type(exc).__name__


def probe_ollama(endpoint: str, model: str, timeout: float = 1.5) -> str | None:
    """None when Ollama answers at `endpoint` and has `model`; otherwise why not, in a few words."""
    try:
        response = httpx.get(f"{endpoint}/api/tags", timeout=timeout)
    except httpx.HTTPError as exc:
        return f"no Ollama found at {endpoint}: {_reason(exc)}"
    if response.status_code != 200:
        return f"no Ollama found at {endpoint}: HTTP {response.status_code}"
    try:
        names = {str(m.get("name")) for m in response.json().get("models", [])}
    except (ValueError, AttributeError):
        return f"no Ollama found at {endpoint}: not an Ollama answer"
    if model not in names and f"{model}:latest" not in names:
        return f"Ollama at {endpoint} has no model {model}; `ollama pull {model}` to use it"
    return None


class OllamaBackend:
    """Ollama's `/api/chat` with streaming: one JSON object per line, token counts on the last one."""

    def __init__(self, endpoint: str, model: str, *, timeout: float = 120.0) -> None:
        self.endpoint = endpoint
        self._model = model
        self._timeout = timeout
        self._client = httpx.Client(timeout=httpx.Timeout(timeout, connect=5.0))

    @property
    def label(self) -> str:
        return "Ollama"

    @property
    def model(self) -> str:
        return self._model

    def stream(self, messages: Sequence[Message], params: GenerationParams) -> Generator[str | Usage, None, None]:
        body = {
            "model": self._model,
            "messages": list(messages),
            "stream": True,
            "options": {"temperature": params.temperature, "num_predict": params.max_tokens},
        }
        url = f"{self.endpoint}/api/chat"
        try:
            with self._client.stream("POST", url, json=body) as response:
                if response.status_code != 200:
                    response.read()
                    raise LLMError(self._status_message(response))
                usage = Usage(0, 0)
                for line in response.iter_lines():
                    if not line.strip():
                        continue
                    try:
                        part = json.loads(line)
                    except ValueError:
                        raise LLMError(
                            f"Ollama at {self.endpoint} sent a line that is not JSON: {line[:80]!r}"
                        ) from None
                    if part.get("error"):
                        raise LLMError(f"Ollama: {part['error']}")
                    text = (part.get("message") or {}).get("content") or ""
                    if text:
                        yield text
                    if part.get("done"):
                        usage = Usage(int(part.get("prompt_eval_count") or 0), int(part.get("eval_count") or 0))
                        break
                yield usage
        except httpx.TimeoutException:
            raise LLMError(f"Ollama at {self.endpoint} did not answer within {self._timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise LLMError(f"Cannot reach Ollama at {self.endpoint}: {_reason(exc)}") from None

    def _status_message(self, response: httpx.Response) -> str:
        try:
            detail = str(response.json().get("error") or response.text)
        except ValueError:
            detail = response.text.strip() or response.reason_phrase
        if response.status_code == 404 and "not found" in detail.lower():
            return f"Ollama: {detail} (is the model name right? `ollama pull {self._model}` fetches it)"
        return f"Ollama answered HTTP {response.status_code}: {detail}"

    def close(self) -> None:
        self._client.close()


class OpenAIBackend:
    """Any OpenAI-compatible `/chat/completions` endpoint through the `openai` client, streaming with usage."""

    def __init__(self, base_url: str, model: str, *, api_key: str | None = None, timeout: float = 120.0) -> None:
        import openai

        self.base_url = base_url
        self._model = model
        # No retries: a failed turn is reported at once and the user simply asks again.
        self._client = openai.OpenAI(base_url=base_url, api_key=api_key or "not-needed", timeout=timeout, max_retries=0)

    @property
    def label(self) -> str:
        return f"OpenAI-compatible endpoint {self.base_url}"

    @property
    def model(self) -> str:
        return self._model

    def stream(self, messages: Sequence[Message], params: GenerationParams) -> Generator[str | Usage, None, None]:
        import openai
        from openai.types.chat import ChatCompletionMessageParam

        try:
            chunks = self._client.chat.completions.create(
                model=self._model,
                messages=cast("list[ChatCompletionMessageParam]", [dict(m) for m in messages]),
                temperature=params.temperature,
                max_tokens=params.max_tokens,
                stream=True,
                stream_options={"include_usage": True},
            )
            usage = Usage(0, 0)
            with chunks:
                for chunk in chunks:
                    if chunk.usage is not None:
                        usage = Usage(chunk.usage.prompt_tokens or 0, chunk.usage.completion_tokens or 0)
                    for choice in chunk.choices:
                        if choice.delta.content:
                            yield choice.delta.content
            yield usage
        except openai.APITimeoutError:
            raise LLMError(f"The endpoint at {self.base_url} did not answer in time") from None
        except openai.APIConnectionError as exc:
            reason = _cause(exc)
            raise LLMError(f"Cannot reach the OpenAI-compatible endpoint at {self.base_url}: {reason}") from None
        except openai.APIStatusError as exc:
            raise LLMError(
                f"The endpoint at {self.base_url} answered HTTP {exc.status_code}: {_api_message(exc)}"
            ) from None

    def close(self) -> None:
        self._client.close()


def _cause(exc: BaseException) -> str:
    """The root of a connection error in a few words (the openai client wraps its HTTP library's errors)."""
    chain: list[BaseException] = []
    found: BaseException | None = exc
    while found is not None and found not in chain:
        chain.append(found)
        found = found.__cause__ or found.__context__
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return "connection refused"
    if any(isinstance(e, TimeoutError) or "Timeout" in type(e).__name__ for e in chain):
        return "timed out"
    return str(chain[-1]) or type(chain[-1]).__name__


def _api_message(exc: object) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])
        if isinstance(error, str):
            return error
    return str(getattr(exc, "message", exc))
