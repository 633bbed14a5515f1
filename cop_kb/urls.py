from django.contrib import admin
from django.urls import include, path

from directory.admin_views import data_quality, review_queue
from directory.views import record_preview

from . import views

handler500 = "cop_kb.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("tags/", views.tag_list, name="tag-list"),
    path("tags/<slug:slug>/", views.tag_detail, name="tag-detail"),
    path("admin/editorial/review/", admin.site.admin_view(review_queue), name="admin-review-queue"),
    path("admin/editorial/quality/", admin.site.admin_view(data_quality), name="admin-data-quality"),
    path("admin/", admin.site.urls),
    path("preview/<int:content_type_id>/<int:pk>/", record_preview, name="record-preview"),
    path("", include("search.urls")),
    path("", include("directory.urls")),
    path("", include("instruments.urls")),
    path("", include("strategy.urls")),
    path("", include("programmes.urls")),
]
