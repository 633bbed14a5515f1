"""The words staff search with for the framework's subjects, beside the instruments' own terms (issue 15), and both
spellings of Viet Nam. Editors change or add groups in the admin; a term may be a phrase."""

from django.db import migrations, models

GROUPS = [
    "child sexual abuse material, csam, child pornography, child sexual exploitation material",
    "recovery, rehabilitation, reintegration",
    "grooming, solicitation of children",
    "trafficking, sale of children",
    "viet nam, vietnam",
]


def forwards(apps, schema_editor):
    Synonym = apps.get_model("search", "Synonym")
    for terms in GROUPS:
        Synonym.objects.get_or_create(terms=terms)


def backwards(apps, schema_editor):
    apps.get_model("search", "Synonym").objects.filter(terms__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [("search", "0012_linked_names")]

    operations = [
        migrations.AlterField(
            model_name="synonym",
            name="terms",
            field=models.CharField(
                help_text=(
                    "Two or more words or phrases that mean the same, separated by commas, e.g. “labour, labor” or "
                    "“CSAM, child sexual abuse material”. A phrase matches only with its words in that order."
                ),
                max_length=300,
                unique=True,
                verbose_name="terms",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
