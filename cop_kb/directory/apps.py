from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    """Countries and organisations, and the tables of the record core's shared rows (``cop_kb.records``).

    Its label stays "directory", as before the app moved under ``cop_kb/``, so its migrations and tables are the same.
    """

    name = "cop_kb.directory"
    label = "directory"
    verbose_name = _("Directory")

    def ready(self) -> None:
        from cop_kb.records.content_version import install_content_triggers
        from cop_kb.records.facet_triggers import facet_triggers_drop, install_facet_counts
        from cop_kb.records.kept_copies import install_kept_copies, kept_copy_triggers_drop
        from cop_kb.records.startup import records_ready

        records_ready()
        # After every migrate, once all apps' tables exist: a new record type's tables are covered at once.
        post_migrate.connect(install_content_triggers, sender=self, dispatch_uid="cop_kb_content_triggers")
        pre_migrate.connect(facet_triggers_drop, sender=self, dispatch_uid="cop_kb_facet_triggers_drop")
        post_migrate.connect(install_facet_counts, sender=self, dispatch_uid="cop_kb_facet_counts")
        pre_migrate.connect(kept_copy_triggers_drop, sender=self, dispatch_uid="cop_kb_kept_copy_triggers_drop")
        post_migrate.connect(install_kept_copies, sender=self, dispatch_uid="cop_kb_kept_copies")
