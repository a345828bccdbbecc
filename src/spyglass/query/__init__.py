"""Read use cases for the UI: list, get, filter and shape data for pages. Built on the Store; no SQL here."""
