from django.urls import path

from . import views

app_name = "graph"

urlpatterns = [
    path("explore/<slug:type_slug>/<slug:slug>/", views.explore, name="explore"),
]
