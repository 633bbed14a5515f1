"""The search index: one document per published record, its facet values, and editor-managed synonyms.

The database-specific parts (PostgreSQL's weighted tsvector column and GIN indexes, SQLite's FTS5 tables kept in
step by triggers) are created by migration 0002, which looks at the database it runs on.
"""

import re

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .query import MAX_PHRASE_WORDS, tokens


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


# A synonym term: words of letters and digits, joined by single spaces or hyphens.
_TERM = re.compile(r"[^\W_]+(?:[ -][^\W_]+)*")


class Synonym(models.Model):
    """Terms that mean the same to a reader ("labour, labor"; "CSAM, child pornography"): a search for one finds
    the others. A term may be a phrase of several words, which then matches as a phrase.

    Editors manage these in the admin; they take effect on the next search, with no reindex or redeploy.
    """

    terms = models.CharField(
        _("terms"),
        max_length=300,
        unique=True,
        help_text=_(
            "Two or more words or phrases that mean the same, separated by commas, e.g. “labour, labor” or "
            "“CSAM, child sexual abuse material”. A phrase matches only with its words in that order."
        ),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("synonym group")
        verbose_name_plural = _("synonym groups")
        ordering = ["terms"]
        constraints = [models.CheckConstraint(condition=Q(terms__contains=","), name="search_synonym_has_two_terms")]

    def __str__(self) -> str:
        return self.terms

    def phrases(self) -> list[str]:
        """The group's terms as written, each in lower case with its spaces evened out."""
        return [" ".join(term.split()).casefold() for term in self.terms.split(",") if term.strip()]

    def clean(self) -> None:
        phrases = list(dict.fromkeys(self.phrases()))
        if len(phrases) < 2:
            raise ValidationError({"terms": _("Give at least two different terms, separated by commas.")})
        bad = [phrase for phrase in phrases if not _TERM.fullmatch(phrase)]
        if bad:
            raise ValidationError(
                {
                    "terms": _(
                        "Each term may hold only letters, digits, spaces and hyphens between words: “%(term)s” does "
                        "not."
                    )
                    % {"term": bad[0]}
                }
            )
        long = [phrase for phrase in phrases if len(tokens(phrase)) > MAX_PHRASE_WORDS]
        if long:
            raise ValidationError(
                {
                    "terms": _("A term may have at most %(count)d words: “%(term)s” has more.")
                    % {"count": MAX_PHRASE_WORDS, "term": long[0]}
                }
            )
        self.terms = ", ".join(phrases)
        self._check_terms_are_in_no_other_group(phrases)

    def _check_terms_are_in_no_other_group(self, phrases: list[str]) -> None:
        # A term in two groups would find the other terms of only one of them.
        wanted = {tokens(phrase): phrase for phrase in phrases}
        for other in Synonym.objects.exclude(pk=self.pk).only("terms"):
            for phrase in other.phrases():
                if tokens(phrase) in wanted:
                    raise ValidationError(
                        {
                            "terms": _("“%(term)s” is already in the group “%(group)s”: add the terms there.")
                            % {"term": wanted[tokens(phrase)], "group": other.terms}
                        }
                    )
