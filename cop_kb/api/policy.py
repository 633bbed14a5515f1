"""How every API view answers, named in ``REST_FRAMEWORK`` settings: always JSON, errors with a message, and a
throttle per client address. Kept apart from the views, which DRF's settings must not import while it loads."""

from rest_framework import views as drf_views
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle

from cop_kb.client_address import client_ip


class AlwaysJSON(BaseContentNegotiation):
    """The first renderer a view has (JSON for the API, HTML for its docs pages), whatever ``Accept`` says: the
    page cache keys an answer by its address alone, so one address must always give the same representation."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class AnonymousThrottle(AnonRateThrottle):
    """DRF's anonymous throttle, counting per client address as the audit trail reads it, at the rate in force now
    (DRF reads rates once at import; reading them per request lets settings, and tests, change them)."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def get_ident(self, request):
        return client_ip(request) or ""


def json_errors(exc, context):
    """DRF's errors, with a bad query's per-parameter messages under ``errors`` and a sentence in ``detail``."""
    response = drf_views.exception_handler(exc, context)
    if response is not None and isinstance(exc, ValidationError):
        response.data = {"detail": "The query is not valid; see errors.", "errors": response.data}
    return response
