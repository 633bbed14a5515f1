"""The naive baseline search measures against: what a first version without a search index would do.

``icontains`` on title, summary and body of every published record type, a total count, and the first 20 hits
ordered by title. No ranking, stemming or highlights: every query scans all of the text. It lives here, not in
the app, because it exists only to be compared with.
"""

from django.db.models import Q

from cop_kb.search.services import indexable_models

PER_PAGE = 20


def naive_search(text: str) -> tuple[int, list[tuple[str, str]]]:
    """Count the records containing ``text`` (quotes dropped) and return the first page ordered by title."""
    needle = " ".join(text.replace('"', " ").split())
    total = 0
    rows: list[tuple[str, str]] = []
    for model in indexable_models():
        matches = (
            model.objects.public()
            .filter(Q(title__icontains=needle) | Q(summary__icontains=needle) | Q(body__icontains=needle))
            .order_by("title")
        )
        total += matches.count()
        rows += matches.values_list("title", "slug")[:PER_PAGE]
    rows.sort()
    return total, rows[:PER_PAGE]
