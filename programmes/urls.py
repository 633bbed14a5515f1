from django.urls import path

from cop_kb.records.views import record_paths

from . import views
from .models import Activity, Output, Partnership, Programme

app_name = "programmes"

urlpatterns = [
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/unlinked/<slug:kind>/", views.UnlinkedView.as_view(), name="coverage-unlinked"),
    *record_paths("programmes", Programme),
    *record_paths("partnerships", Partnership, "partnership"),
    *record_paths("activities", Activity, "activity"),
    *record_paths("outputs", Output, "output"),
]
