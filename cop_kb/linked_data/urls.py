from django.urls import path, re_path

from . import views

app_name = "linked_data"

urlpatterns = [
    path("data/downloads/cop_kb.jsonld", views.whole_data, name="download"),
    # A detail page's address with ".jsonld" for its trailing slash; the view finds which type's page it names.
    re_path(r"^(?:[-\w]+/)+(?P<slug>[-\w]+)\.jsonld$", views.record_jsonld, name="record"),
]
