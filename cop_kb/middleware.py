"""Cross-cutting request handling."""


class ParseQueryStringFirst:
    """Read the query string before anything else, so a malformed one (too many fields) is a 400 everywhere.

    Otherwise it would first fail while an error page is being rendered (the search box reads ``q``), and an
    error raised there becomes a 500.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.GET  # noqa: B018 - parsing raises SuspiciousOperation, which Django answers with a 400
        return self.get_response(request)
