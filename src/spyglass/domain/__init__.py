"""Domain types and pure functions. Imports nothing else from the project."""
