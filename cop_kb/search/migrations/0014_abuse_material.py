"""Staff also type "abuse material" for child sexual abuse material (issue 15): the term joins the group migration
0013 made (the one holding "csam"), as the admin would store it. A group an editor has already given the term, or no
such group at all (an editor removed it), is left as it is. Reversed, the term leaves the group again."""

from django.db import migrations

TERM = "abuse material"
GROUP_OF = "csam"


def _phrases(terms: str) -> list[str]:
    """A group's terms as ``Synonym.phrases`` reads them (a historical model has no methods of its own)."""
    return [" ".join(term.split()).casefold() for term in terms.split(",") if term.strip()]


def forwards(apps, schema_editor):
    groups = list(apps.get_model("search", "Synonym").objects.all())
    if any(TERM in _phrases(group.terms) for group in groups):
        return
    for group in groups:
        if GROUP_OF in _phrases(group.terms):
            group.terms = ", ".join([*_phrases(group.terms), TERM])
            group.save(update_fields=["terms"])


def backwards(apps, schema_editor):
    for group in apps.get_model("search", "Synonym").objects.all():
        phrases = _phrases(group.terms)
        if TERM in phrases and GROUP_OF in phrases:
            group.terms = ", ".join(phrase for phrase in phrases if phrase != TERM)
            group.save(update_fields=["terms"])


class Migration(migrations.Migration):
    dependencies = [("search", "0013_subject_synonyms")]

    operations = [migrations.RunPython(forwards, backwards)]
