"""The read-only JSON API at /api/v1/: every record type of the registry, its public records and their links."""
