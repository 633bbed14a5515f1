from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    """Reference records every app may link to (countries, organisations) and the record machinery they share."""

    name = "directory"
    verbose_name = _("Directory")
