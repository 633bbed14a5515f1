from cop_kb.records.views import record_paths

from .models import FocusArea, Principle, Right, Sector, StakeholderGroup, StrategicArea

app_name = "strategy"

urlpatterns = [
    *record_paths("strategic-areas", StrategicArea, "area"),
    *record_paths("principles", Principle, "principle"),
    *record_paths("rights", Right, "right"),
    *record_paths("stakeholders", StakeholderGroup, "stakeholder"),
    *record_paths("sectors", Sector, "sector"),
    *record_paths("focus-areas", FocusArea, "focus-area"),
]
