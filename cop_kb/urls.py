from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("tags/", views.tag_list, name="tag-list"),
    path("tags/<slug:slug>/", views.tag_detail, name="tag-detail"),
    path("admin/", admin.site.urls),
    path("", include("search.urls")),
    path("", include("directory.urls")),
    path("", include("instruments.urls")),
    path("", include("strategy.urls")),
    path("", include("programmes.urls")),
]
