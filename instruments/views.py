"""The concordance (instruments side by side by topic), and the pages of topics and provisions that show it."""

from django.core.paginator import InvalidPage
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.http import require_safe

from cop_kb.exports.columns import cell
from cop_kb.exports.csv_export import csv_response, site_of
from cop_kb.records.views import RecordDetailView

from .selectors import (
    MAX_COMPARED,
    ConcordanceInputError,
    concordance,
    concordance_choices,
    concordance_rows,
    editorial_areas,
    same_topic_elsewhere,
    topic_provisions,
)

CSV_HEADER = [
    "topic_slug",
    "topic",
    "instrument_slug",
    "instrument",
    "provision_slug",
    "number",
    "provision",
    "page_url",
]


@require_safe
def concordance_page(request):
    """Topics × instruments, each cell the articles on that topic; narrowed to a few instruments to compare them,
    or to some topics. ``format=csv`` gives every row of the comparison as a file. Choices that name nothing
    published, or too many instruments, are a 400 page that says what to change; a bad page number is a 404."""
    wanted = request.GET.get("format", "")
    if wanted and wanted != "csv":
        return HttpResponseBadRequest(
            f"Unknown format “{wanted[:40]}”: the concordance can be exported as format=csv only.\n",
            content_type="text/plain; charset=utf-8",
        )
    try:
        found = concordance(request.GET)
    except ConcordanceInputError as exc:
        context = {"errors": exc.messages, "max_compared": MAX_COMPARED, **concordance_choices()}
        return render(request, "instruments/concordance.html", context, status=400)
    except InvalidPage as exc:
        raise Http404("No such page of topics.") from exc
    if wanted == "csv":
        site = site_of(request)
        rows = (
            [cell(value) for value in (*row[:-1], site + row[-1])]
            for row in concordance_rows(found.columns if found.chosen_instruments else None, found.chosen_topics)
        )
        return csv_response(request, "concordance", CSV_HEADER, rows)
    context = {
        "concordance": found,
        "max_compared": MAX_COMPARED,
        "instrument_choices": found.instrument_choices,
        "topic_choices": found.topic_choices,
        "chosen_instruments": found.chosen_instruments,
        "chosen_topics": found.chosen_topics,
    }
    return render(request, "instruments/concordance.html", context)


class TopicDetailView(RecordDetailView):
    """A topic's page: its facts and links, every provision on it grouped by instrument, and the strategic areas the
    editors classify it under, with their basis (in place of their list of links)."""

    shown_apart = ("classified_areas",)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            provision_groups=topic_provisions(self.object), classified=editorial_areas(self.object), **kwargs
        )


class ProvisionDetailView(RecordDetailView):
    """A provision's page: its facts and links, the same topics in other instruments, and the strategic areas the
    editors classify it under, on its own or through its topics, with their basis (in place of their list of
    links)."""

    shown_apart = ("classified_areas",)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            same_topic=same_topic_elsewhere(self.object), classified=editorial_areas(self.object), **kwargs
        )
