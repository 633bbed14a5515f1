from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    """One full-text index over every published record, with a backend per database."""

    name = "search"
    verbose_name = _("Search")
