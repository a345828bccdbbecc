"""Spyglass: self-hosted LLM observability that speaks Langfuse's public API."""

__version__ = "0.1.0"
