from django.urls import path

from . import views

app_name = "feeds"

urlpatterns = [
    path("feeds/changes.atom", views.SiteFeed(), name="site"),
    path("feeds/<slug:type_slug>.atom", views.TypeFeed(), name="type"),
    path("feeds/<slug:type_slug>/<slug:slug>.atom", views.RecordFeed(), name="record"),
]
