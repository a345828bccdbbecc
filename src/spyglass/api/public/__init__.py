"""Langfuse-compatible `/api/public` routes, one module per resource."""
