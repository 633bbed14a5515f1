from django.urls import path

from . import views

app_name = "search"

urlpatterns = [
    path("search/", views.search_page, name="search"),
    path("search/facets/<slug:param>/", views.search_facet_page, name="facet"),
    path("search/autocomplete/", views.autocomplete_json, name="autocomplete"),
]
