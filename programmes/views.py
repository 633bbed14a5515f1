from django.shortcuts import render
from django.views.decorators.http import require_safe

from .selectors import COVERAGE_TYPES, coverage_matrix


@require_safe
def coverage(request):
    """Strategic areas × instruments, programmes and activities: where work exists and where there is none."""
    areas, summary, details = coverage_matrix()
    context = {
        "areas": areas,
        "summary": summary,
        "details": details,
        "columns": [model._meta for model in COVERAGE_TYPES],
    }
    return render(request, "programmes/coverage.html", context)
