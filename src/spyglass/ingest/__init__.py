"""Decoding of the two ingestion doors into domain events, and the write pipeline."""
