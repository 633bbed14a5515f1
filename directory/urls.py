from .models import Country, Organisation
from .views import record_paths

app_name = "directory"

urlpatterns = [
    *record_paths("countries", Country, "country"),
    *record_paths("organisations", Organisation, "organisation"),
]
