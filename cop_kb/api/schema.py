"""The schema's record endpoints: one list and one detail operation per record type of the registry.

Their URL patterns take the type as a parameter (``views.record_list``), which the schema would show as one
operation for all types; this hook lists each type's own views instead, so each has its filters and its fields.
"""

from django.urls import reverse

from cop_kb.records.registry import record_types

from .views import detail_view, list_view


def record_endpoints(endpoints: list[tuple]) -> list[tuple]:
    """drf-spectacular preprocessing hook: ``endpoints`` plus (path, pattern, method, view) of every type's two."""
    root = reverse("api:root")
    for entry in record_types():
        listed = f"{root}{entry.slug}/"
        endpoints.append((listed, listed, "GET", list_view(entry)))
        endpoints.append((f"{listed}{{slug}}/", f"{listed}<slug:slug>/", "GET", detail_view(entry)))
    return endpoints
