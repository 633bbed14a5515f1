"""British and American spellings that readers of child-protection policy meet most; editors add more in the admin."""

from django.db import migrations

GROUPS = [
    "labour, labor",
    "organisation, organization",
    "organisations, organizations",
    "programme, program",
    "programmes, programs",
    "behaviour, behavior",
    "behaviours, behaviors",
    "centre, center",
    "centres, centers",
    "defence, defense",
    "offence, offense",
    "offences, offenses",
    "licence, license",
    "criminalise, criminalize",
    "harmonise, harmonize",
    "recognise, recognize",
    "marginalised, marginalized",
]


def forwards(apps, schema_editor):
    Synonym = apps.get_model("search", "Synonym")
    for terms in GROUPS:
        Synonym.objects.get_or_create(terms=terms)


def backwards(apps, schema_editor):
    apps.get_model("search", "Synonym").objects.filter(terms__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [("search", "0002_full_text_structures")]

    operations = [migrations.RunPython(forwards, backwards)]
