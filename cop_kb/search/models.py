"""The search index: one document per published record, its facet values, and editor-managed synonyms.

The database-specific parts (PostgreSQL's weighted tsvector column and GIN indexes, SQLite's FTS5 tables kept in
step by triggers) are created by migration 0002, which looks at the database it runs on.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    """The text of one published record as search reads it: title and aliases weigh most, then summary and tags,
    then body, then the names of the records it links to and its years, then the names of those linking to it."""

    # No single-column indexes where a composite one leads with the column: every index slows the full rebuild.
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, db_index=False)
    object_id = models.PositiveBigIntegerField()
    record_type = models.CharField(max_length=100, help_text=_("app_label.model_name of the record."))
    slug = models.SlugField(max_length=120, db_index=False)
    url = models.CharField(max_length=300)
    title = models.TextField()
    aliases = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    tags = models.TextField(blank=True)
    body = models.TextField(blank=True)
    related = models.TextField(
        blank=True,
        default="",
        help_text=_("Names of the public records it links to, then its years: searched below its own text."),
    )
    backlinked = models.TextField(
        blank=True,
        default="",
        help_text=_("Names of the public records linking to it: searched at the lowest weight."),
    )
    year = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="search_document_unique_record"),
        ]
        indexes = [models.Index(fields=["record_type", "slug"], name="search_doc_type_slug")]

    def __str__(self) -> str:
        return self.title


class SearchFacet(models.Model):
    """One facet value of a document (its type, year, a tag, a strategic area, a country), for counting."""

    document = models.ForeignKey(SearchDocument, on_delete=models.CASCADE, related_name="facets", db_index=False)
    facet = models.CharField(max_length=30)
    value = models.CharField(max_length=120)

    class Meta:
        verbose_name = _("search facet")
        verbose_name_plural = _("search facets")
        ordering = ["facet", "value"]
        constraints = [
            models.UniqueConstraint(fields=["document", "facet", "value"], name="search_facet_unique"),
        ]
        indexes = [models.Index(fields=["facet", "value"], name="search_facet_lookup")]

    def __str__(self) -> str:
        return f"{self.facet}={self.value}"


class Synonym(models.Model):
    """Words that mean the same to a reader ("labour, labor"): a search for one finds the others.

    Editors manage these in the admin; they take effect on the next search, with no reindex or redeploy.
    """

    terms = models.CharField(
        _("terms"),
        max_length=300,
        unique=True,
        help_text=_("Two or more single words, separated by commas, e.g. “labour, labor”."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("synonym group")
        verbose_name_plural = _("synonym groups")
        ordering = ["terms"]
        constraints = [models.CheckConstraint(condition=Q(terms__contains=","), name="search_synonym_has_two_terms")]

    def __str__(self) -> str:
        return self.terms

    def words(self) -> list[str]:
        return [word.strip().casefold() for word in self.terms.split(",") if word.strip()]

    def clean(self) -> None:
        words = self.words()
        if len(words) < 2:
            raise ValidationError({"terms": _("Give at least two words separated by commas.")})
        if any(not word.replace("-", "").isalnum() for word in words):
            raise ValidationError({"terms": _("Each term must be a single word (letters and digits only).")})
        self.terms = ", ".join(dict.fromkeys(words))
