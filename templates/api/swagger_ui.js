{% load static %}// Swagger UI for the read-only API, loaded as a file so the page runs under the site's CSP unchanged. The API only
// answers GET, HEAD and OPTIONS, so no request needs a CSRF token: none is put here, and the script is the same for
// every visitor (cacheable like any page).
const ui = SwaggerUIBundle({
  url: "{{ schema_url|escapejs }}",
  dom_id: "#swagger-ui",
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  ...{{ settings|safe }},
});
