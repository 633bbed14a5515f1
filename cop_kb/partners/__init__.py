"""The page for partners (``/data/``): how to read the knowledge base by machine, with calls that work."""
