from django.urls import path

from . import views

app_name = "map"

urlpatterns = [
    path("map/", views.world_map, name="world"),
    path("map/world.svg", views.world_map_picture, name="picture"),
]
