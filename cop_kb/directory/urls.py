from cop_kb.records.views import record_paths

from .models import Country, Organisation

app_name = "directory"

urlpatterns = [
    *record_paths("countries", Country, "country"),
    *record_paths("organisations", Organisation, "organisation"),
]
