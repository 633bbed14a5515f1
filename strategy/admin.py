"""Admin for the strategy's framework: strategic areas, rights, stakeholder groups, sectors, focus areas, principles."""

from django.contrib import admin

from cop_kb.records.admin import RecordAdmin, columns, filters

from .models import FocusArea, Principle, Right, Sector, StakeholderGroup, StrategicArea


@admin.register(StrategicArea)
class StrategicAreaAdmin(RecordAdmin):
    type_fields = ("position", "classification_basis")
    list_display = columns("position")


@admin.register(Right)
class RightAdmin(RecordAdmin):
    type_fields = ("side",)
    list_display = columns("side")
    list_filter = filters("side")


@admin.register(StakeholderGroup)
class StakeholderGroupAdmin(RecordAdmin):
    pass


@admin.register(Sector)
class SectorAdmin(RecordAdmin):
    pass


@admin.register(FocusArea)
class FocusAreaAdmin(RecordAdmin):
    content_fields = ("summary", "statement", "body")
    type_fields = (("level", "position"),)
    list_display = columns("level", "position")
    list_filter = filters("level")


@admin.register(Principle)
class PrincipleAdmin(RecordAdmin):
    content_fields = ("summary", "statement", "body")
    type_fields = (("scope", "position"),)
    list_display = columns("scope", "position")
    list_filter = filters("scope")
