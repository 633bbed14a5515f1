"""Linked data: every public record as schema.org JSON-LD, on its page, at its ``.jsonld`` address and in the
whole-data download. Reads records through the registry and the link declarations; imports no content app."""
