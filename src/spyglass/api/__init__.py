"""HTTP: the Langfuse-compatible public API. Handlers are thin; see ingest/ and query/."""
