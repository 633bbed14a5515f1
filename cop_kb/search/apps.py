from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    """One full-text index over every published record, with a backend per database."""

    name = "cop_kb.search"
    label = "search"  # as before the app moved under cop_kb/: same migrations and tables
    verbose_name = _("Search")

    def ready(self) -> None:
        from cop_kb.records.content_version import content_watch
        from cop_kb.records.index import IndexWriters, index_register

        from .hidden_names import hidden_names_triggers_drop, hidden_names_triggers_install
        from .models import SearchDocument, SearchFacet, Synonym
        from .services import search_index_rebuild, search_index_remove, search_index_update
        from .visibility import visibility_triggers_drop, visibility_triggers_install

        # The record services keep the index current through this seam, without importing this app.
        index_register(
            IndexWriters(update=search_index_update, remove=search_index_remove, rebuild=search_index_rebuild)
        )
        # Search pages are public pages: every change to what a search can return changes the content version.
        content_watch(SearchDocument, SearchFacet, Synonym)
        # A record leaving "published" beside the write path leaves its neighbours' documents at once.
        pre_migrate.connect(hidden_names_triggers_drop, sender=self, dispatch_uid="search_hidden_names_drop")
        post_migrate.connect(hidden_names_triggers_install, sender=self, dispatch_uid="search_hidden_names_install")
        # ... and leaves the index, with every facet row naming it (cop_kb/search/visibility.py).
        pre_migrate.connect(visibility_triggers_drop, sender=self, dispatch_uid="search_visibility_drop")
        post_migrate.connect(visibility_triggers_install, sender=self, dispatch_uid="search_visibility_install")
