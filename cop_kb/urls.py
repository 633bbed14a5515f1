from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, re_path
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from cop_kb.records.admin_pickers import LinkPickerAutocompleteView
from cop_kb.records.admin_views import data_quality, review_queue, waiting_list
from cop_kb.records.views import record_citation_file, record_preview

from . import views
from .sitemaps import sitemap_index, sitemaps

handler500 = "cop_kb.views.server_error"

# The admin carries the product's name, as every public page does, instead of "Django administration".
admin.site.site_header = admin.site.site_title = settings.SITE_NAME
admin.site.index_title = format_lazy(_("{site}: editorial administration"), site=settings.SITE_NAME)

# A sitemap section says when its records last changed (Last-Modified), from which a cache may guess how long to
# keep it without asking; a withdrawn record's address would stay listed that long. Caches must ask every time.
revalidated = cache_control(no_cache=True)

urlpatterns = [
    # The home page reads across every content app, so it lives in the one that does (programmes/home.py).
    path("", include("programmes.home")),
    path("about/", views.about, name="about"),
    path("favicon.ico", views.favicon),
    path("sitemap.xml", sitemap_index, name="sitemap-index"),
    path(
        "sitemap-<section>.xml",
        revalidated(require_safe(sitemap_views.sitemap)),
        {"sitemaps": sitemaps()},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("tags/", views.tag_list, name="tag-list"),
    path("tags/<str:slug>/", views.tag_detail, name="tag-detail"),
    path("admin/editorial/waiting/", admin.site.admin_view(waiting_list), name="admin-waiting"),
    path("admin/editorial/review/", admin.site.admin_view(review_queue), name="admin-review-queue"),
    path("admin/editorial/quality/", admin.site.admin_view(data_quality), name="admin-data-quality"),
    # The admin's own autocomplete address (``admin:autocomplete``), answered first here: its record pickers label
    # records with their short name and type (cop_kb/records/admin_pickers.py).
    path(
        "admin/autocomplete/",
        admin.site.admin_view(LinkPickerAutocompleteView.as_view(admin_site=admin.site)),
        name="admin-link-picker",
    ),
    path("admin/", admin.site.urls),
    path("preview/<int:content_type_id>/<int:pk>/", record_preview, name="record-preview"),
    path("api/", include("cop_kb.api.urls")),
    path("", include("cop_kb.exports.urls")),
    path("", include("cop_kb.feeds.urls")),
    path("", include("cop_kb.partners.urls")),
    path("", include("cop_kb.search.urls")),
    path("", include("cop_kb.linked_data.urls")),
    # A detail page's address with ".bib" or ".ris" for its trailing slash: the record's citation as a file.
    re_path(r"^(?:[-\w]+/)+(?P<slug>[-\w]+)\.(?P<extension>bib|ris)$", record_citation_file, name="record-citation"),
    path("", include("cop_kb.graph.urls")),
    path("", include("cop_kb.map.urls")),
    path("", include("cop_kb.timeline.urls")),
    path("", include("cop_kb.directory.urls")),
    path("", include("instruments.urls")),
    path("", include("strategy.urls")),
    path("", include("programmes.urls")),
]
