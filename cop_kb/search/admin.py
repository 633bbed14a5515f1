from django.contrib import admin

from .models import Synonym


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    """Editors add words or phrases that should find each other ("labour, labor", "CSAM, child pornography");
    searches use them at once. ``Synonym.clean`` says what a group may hold."""

    list_display = ("terms", "note")
    search_fields = ("terms", "note")
