from django.urls import path

from cop_kb.records.views import record_paths

from . import views
from .models import Instrument, Provision, Topic

app_name = "instruments"

urlpatterns = [
    path("concordance/", views.concordance_page, name="concordance"),
    *record_paths("instruments", Instrument),
    *record_paths("provisions", Provision, "provision", detail_view=views.ProvisionDetailView),
    *record_paths("topics", Topic, "topic", detail_view=views.TopicDetailView),
]
