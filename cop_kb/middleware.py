"""Cross-cutting request handling."""

import functools

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as PerResponseCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

# What django-csp's decorators set on a response to give it a policy of its own (the API docs' ``csp_update``).
POLICY_OF_ITS_OWN = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_exempt",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
    "_csp_exempt_ro",
)


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


@functools.cache
def site_policies() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(header, policy, path prefixes it skips) for the site's policy and its report-only one, each as django-csp
    builds it from the settings; a policy the settings leave empty is left out."""
    found = []
    for header, name, report_only in (
        (HEADER, "CONTENT_SECURITY_POLICY", False),
        (HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", True),
    ):
        policy = build_policy(report_only=report_only)
        if policy:
            skipped = (getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
            found.append((header, policy, tuple(skipped)))
    return tuple(found)


@receiver(setting_changed)
def _policy_settings_changed(*, setting: str, **_kwargs) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        site_policies.cache_clear()


class CSPMiddleware(PerResponseCSPMiddleware):
    """django-csp's middleware, with the site's own policy built once per process instead of for every response.

    Building it (settings copied, every directive joined) was about a third of the time of a revalidation answered
    304. A response with a policy of its own (``POLICY_OF_ITS_OWN``), a page that asked for a nonce, and the debug
    pages are left to django-csp, which builds theirs as before.
    """

    def process_response(self, request, response):
        if (
            settings.DEBUG
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in POLICY_OF_ITS_OWN)
        ):
            return super().process_response(request, response)
        for header, policy, skipped in site_policies():
            if header not in response and not request.path_info.startswith(skipped):
                response[header] = policy
        # As django-csp does: a nonce asked for after the header is written could never be used, so it fails loudly.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
