"""Atom feeds of what changed: the whole site, each record type, and each record that others are filed under
(countries, strategic areas), built from the records registry and ``public()`` with no code per type."""
