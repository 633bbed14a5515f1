"""/api/v1/: the root, a list and a detail address per record type, the schema and its two docs pages."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularJSONAPIView

from . import docs, views

app_name = "api"

urlpatterns = [
    path("v1/", views.Root.as_view(), name="root"),
    path("v1/schema/", SpectacularJSONAPIView.as_view(), name="schema"),
    path("v1/docs/", docs.swagger_ui, name="docs"),
    path("v1/redoc/", docs.redoc, name="redoc"),
    path("v1/<slug:type_slug>/", views.record_list, name="list"),
    path("v1/<slug:type_slug>/<slug:slug>/", views.record_detail, name="detail"),
    path("v1/<slug:type_slug>/<slug:slug>/links/<slug:relation>/", views.RelationLinks.as_view(), name="links"),
    re_path(r"^[\s\S]*$", views.not_found, name="not-found"),  # any address, new lines included
]
