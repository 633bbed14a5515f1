"""The timeline: dated records (instruments, outputs, partnerships, activities) by year, filterable by record type
and strategic area.

Which types it shows and what dates them is each type's ``dated_by`` declaration, read through the record registry,
so a new dated type appears without code of its own; it imports no content app (an import-linter contract).
"""
