"""The world map (``/map/``): countries drawn as SVG on the server from vendored Natural Earth shapes, shaded by
the published records linked to them. A package, not an app: it reads countries through the registry and the link
declarations and imports no content app."""
