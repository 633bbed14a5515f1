from directory.views import record_paths

from .models import Activity, Output, Partnership, Programme

app_name = "programmes"

urlpatterns = [
    *record_paths("programmes", Programme),
    *record_paths("partnerships", Partnership, "partnership"),
    *record_paths("activities", Activity, "activity"),
    *record_paths("outputs", Output, "output"),
]
