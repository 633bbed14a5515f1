"""Relationship graphs: a record's neighbourhood of links and backlinks, drawn as SVG on the server.

Read from the link declarations (``cop_kb.records.links``) and the record registry, so every record type and every
link appears without code of its own; it imports no content app (an import-linter contract).
"""
