"""Exports for partners: CSV of any list or search (``format=csv``) and the whole-data CSV zip.

Everything is generated from the record registry and the link declarations, and read through ``public()``.
"""
