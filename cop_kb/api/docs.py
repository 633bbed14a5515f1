"""The API's documentation pages, Swagger UI and ReDoc, served from our static files (drf-spectacular-sidecar).

Our templates replace drf-spectacular's, which load web fonts from a CDN and carry inline styles and scripts, and
whose Swagger UI script holds a CSRF token (a read-only API needs none, and a token makes the script differ per
visitor). Swagger UI then runs under the site's CSP as it is. ReDoc cannot: it writes its styles into <style>
elements at run time (styled-components) and parses the schema in a Web Worker made from a blob: URL, so its page
alone allows inline styles and blob: workers; scripts stay our own files only. Its template loads
static/js/redoc-without-cdn-logo.js first, which keeps ReDoc from asking Redocly's CDN for its logo.
"""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

swagger_ui = SpectacularSwaggerSplitView.as_view(
    url_name="api:schema", template_name="api/swagger_ui.html", template_name_js="api/swagger_ui.js"
)
redoc = csp_update({"style-src": [UNSAFE_INLINE], "worker-src": [SELF, "blob:"]})(
    SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html")
)
