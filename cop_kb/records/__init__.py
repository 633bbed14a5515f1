"""The record core every app builds on: the abstract Record, the registry of record types, links, facets, the
write path, the workflow, versions, the audit trail, the base admin and import/export. Not an app: its shared tables
belong to the ``directory`` app (see ``models.py``)."""
