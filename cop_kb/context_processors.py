"""Values every template needs."""


def site(request) -> dict:
    return {"site_name": "cop_kb", "search_query": request.GET.get("q", "")[:200]}
