"""Link pickers that tell records apart: the admin's autocomplete labels name a record's short name and type.

Two records can share the start of a long title ("Council of Europe Convention on the…"), so a picker showing titles
alone leaves the editor guessing. Every record picker, in the results it offers and in the records already chosen,
shows "Lanzarote Convention — Council of Europe Convention on the Protection of Children… (Instrument)", built from
the registry's type name and the record's own short names; nothing here knows a record type.
"""

from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.utils.text import Truncator

from .models import AliasKind, Record
from .registry import record_type_of

# Long enough to tell apart the titles that share a beginning; the short name and the type come first anyway.
TITLE_LENGTH = 100
SHORT_ALIAS_KINDS = (AliasKind.SHORT_TITLE, AliasKind.ACRONYM)


def short_name(record: Record) -> str:
    """The record's short name: the one its lists show under its title (``subtitle``: an instrument's short title),
    else an alias of kind "short title" or "acronym"; "" if it has none or only its title. Reads aliases through
    ``all()``, so a prefetch of ``aliases`` serves a list of records."""
    names = [record.subtitle]
    aliases = sorted(record.aliases.all(), key=lambda alias: (alias.kind != AliasKind.SHORT_TITLE, alias.pk))
    names += [alias.name for alias in aliases if alias.kind in SHORT_ALIAS_KINDS]
    return next((name for name in names if name and name.casefold() != record.title.casefold()), "")


def picker_label(record) -> str:
    """How a picker names a record: "Short name — Title (Type)"; anything not a record by its ``str``."""
    entry = record_type_of(record._meta.label_lower)
    if entry is None:
        return str(record)
    title = Truncator(record.title).chars(TITLE_LENGTH)
    short = short_name(record)
    return f"{short} — {title} ({entry.name})" if short else f"{title} ({entry.name})"


def is_record_model(model) -> bool:
    return record_type_of(model._meta.label_lower) is not None


class LinkPickerAutocompleteView(AutocompleteJsonView):
    """The admin's autocomplete answers, with records labelled by ``picker_label``."""

    def get_queryset(self):
        queryset = super().get_queryset()
        return queryset.prefetch_related("aliases") if is_record_model(queryset.model) else queryset

    def serialize_result(self, obj, to_field_name):
        return {**super().serialize_result(obj, to_field_name), "text": picker_label(obj)}


class LinkPickerMixin:
    """For a ModelAdmin or inline: its record pickers label the records already chosen as the results do, and
    keep a record chosen when it is picked again (``static/js/admin-link-pickers.js``)."""

    class Media:
        css = {"all": ("css/admin-records.css",)}
        # After jQuery's admin namespace, which the script listens through for Select2's events.
        js = ("admin/js/jquery.init.js", "js/admin-link-pickers.js")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return self._picker(db_field, request, super().formfield_for_foreignkey(db_field, request, **kwargs))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return self._picker(db_field, request, super().formfield_for_manytomany(db_field, request, **kwargs))

    def _picker(self, db_field, request, formfield):
        if (
            formfield is not None
            and db_field.name in self.get_autocomplete_fields(request)
            and is_record_model(db_field.related_model)
        ):
            formfield.queryset = formfield.queryset.prefetch_related("aliases")
            formfield.label_from_instance = picker_label
            # Select2 opens its results at the end of <body>, outside every landmark, where a screen reader's
            # list of regions misses them; in the page's <main> they are part of the form they belong to.
            formfield.widget.attrs["data-dropdown-parent"] = "#content-start"
        return formfield
