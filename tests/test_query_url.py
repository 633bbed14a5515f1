"""The links of facet values, clear links and pages: the same query string with one parameter changed."""

import pytest
from django.http import QueryDict

from cop_kb.records.facets import query_url


@pytest.mark.parametrize(
    ("query", "changes", "url"),
    [
        ("q=a&country=x&tag=y", {"country": "z"}, "?q=a&country=z&tag=y"),  # a changed parameter keeps its place
        ("q=a", {"tag": "y"}, "?q=a&tag=y"),  # a new one goes last
        ("q=a&tag=y", {"tag": None}, "?q=a"),
        ("q=a", {"tag": None}, "?q=a"),
        ("page=3&q=a", {}, "?q=a"),  # back on the first page
        ("page=3&q=a", {"page": "2"}, "?q=a&page=2"),  # unless a page is given
        ("tag=a&q=x&tag=b", {"q": "y"}, "?tag=a&tag=b&q=y"),  # every value of a repeated parameter kept
        ("tag=a&tag=b", {"tag": "c"}, "?tag=c"),
        (
            "q=child+online&x=%26%3D",
            {"country": "côte d’ivoire"},
            "?q=child+online&x=%26%3D&country=c%C3%B4te+d%E2%80%99ivoire",
        ),
        ("page=2", {}, "?"),
        ("", {"q": None}, "?"),
    ],
)
def test_query_url_changes_one_parameter_and_keeps_the_rest_in_order(query, changes, url):
    params = QueryDict(query)

    assert query_url(params, **changes) == url
    assert params.urlencode() == QueryDict(query).urlencode()  # the page's own parameters are left as they were
