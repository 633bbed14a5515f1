from cop_kb.records.views import record_paths

from .models import Instrument, Provision

app_name = "instruments"

urlpatterns = [
    *record_paths("instruments", Instrument),
    *record_paths("provisions", Provision, "provision"),
]
