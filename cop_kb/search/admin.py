from django.contrib import admin

from .models import Synonym


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    """Editors add words that should find each other ("labour, labor"); searches use them at once."""

    list_display = ("terms", "note")
    search_fields = ("terms", "note")
