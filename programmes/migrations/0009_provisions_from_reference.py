"""Bring a database loaded before the article-level provisions in line with the content file.

``load_framework`` never touches a record that exists, and adds a link only where one end is new: on a database
loaded earlier it creates the new provisions and topics with their links, but leaves the eight CRC articles with the
one- or two-word summaries and the "CRC Article N" titles that content gave them, the strategic areas without the basis of their editorial
classification, and CRC article 17 (which existed) unclassified. This migration does those three things, matching
records by slug and changing a summary only where it still holds exactly what the earlier load wrote, a basis only
where it is empty. An empty database (loaded afterwards) is not touched.
"""

from django.db import migrations
from django.db.models import Q
from django.utils import timezone

# (slug, summary as the earlier content loaded it, the reference sheet's description of the article).
SUMMARIES = [
    (
        "crc-article-2",
        "Non-discrimination.",
        "The Convention's rights are ensured to every child without discrimination of any kind.",
    ),
    (
        "crc-article-13",
        "Freedom of expression.",
        "Freedom of expression, including to seek, receive and impart information and ideas through any media.",
    ),
    ("crc-article-15", "Freedom of association.", "Freedom of association and of peaceful assembly."),
    (
        "crc-article-16",
        "Privacy.",
        "Protection from arbitrary or unlawful interference with privacy, family, home or correspondence.",
    ),
    (
        "crc-article-17",
        "Information.",
        "Access to information and material from diverse sources and the mass media; guidelines to protect the child from information and material injurious to their well-being (17(e)).",
    ),
    (
        "crc-article-19",
        "Protection from violence, abuse and exploitation.",
        "Protection from all forms of violence, injury, abuse, neglect, maltreatment or exploitation, including sexual abuse, with measures for prevention, reporting, referral, investigation, treatment and follow-up.",
    ),
    (
        "crc-article-34",
        "Protection from violence, abuse and exploitation.",
        "Protection from all forms of sexual exploitation and abuse, including use in prostitution and in pornographic performances and materials.",
    ),
    (
        "crc-article-39",
        "Recovery of child victims.",
        "Physical and psychological recovery and social reintegration of child victims.",
    ),
]
# The basis of each area's editorial classification (shared/reference/provisions.md, last table).
BASES = {
    "empowering-children": "The provisions give children information, education and a voice. Prevention counts here only as education for children: Lanzarote Convention article 6 and CRC article 17.",
    "preventing-impunity": 'UN Study recommendation 9 "end impunity"; the offences and procedural powers that make abusers answerable.',
    "reducing-availability-of-harm": "The provisions make producing, offering, distributing and accessing abuse material, and contacting children online for abuse, offences; CRC article 17(e) guards against injurious material.",
    "promoting-recovery": "CRC 39, OPSC 9(3), Palermo 6(3), Lanzarote 14, C182 7(2), UN Study recommendation 6 name recovery and reintegration.",
}
# Provisions classified on their own under an area: CRC 17 (education for children; 17(e), injurious material).
CLASSIFIED = [("empowering-children", "crc-article-17"), ("reducing-availability-of-harm", "crc-article-17")]


def forwards(apps, schema_editor):
    now = timezone.now()
    Provision = apps.get_model("instruments", "Provision")
    StrategicArea = apps.get_model("strategy", "StrategicArea")
    content_type = apps.get_model("contenttypes", "ContentType").objects.filter(
        app_label="instruments", model="provision"
    )
    SearchDocument = apps.get_model("search", "SearchDocument")
    for slug, old, new in SUMMARIES:
        provision = Provision.objects.filter(slug=slug, summary=old).first()
        if provision is None:
            continue
        Provision.objects.filter(pk=provision.pk).update(summary=new, updated_at=now)
        # Titled as the content now titles every provision (its instrument is its link), where still as loaded.
        old_title = f"CRC Article {provision.number}"
        Provision.objects.filter(pk=provision.pk, title=old_title).update(title=f"Article {provision.number}")
        SearchDocument.objects.filter(content_type__in=content_type, object_id=provision.pk, title=old_title).update(
            title=f"Article {provision.number}"
        )
        # The index's triggers update its full-text columns and the token cached search pages are keyed by.
        SearchDocument.objects.filter(content_type__in=content_type, object_id=provision.pk, summary=old).update(
            summary=new
        )
    for slug, basis in BASES.items():
        StrategicArea.objects.filter(
            Q(classification_basis="") | Q(classification_basis__isnull=True), slug=slug
        ).update(classification_basis=basis, updated_at=now)
    for area_slug, provision_slug in CLASSIFIED:
        area = StrategicArea.objects.filter(slug=area_slug).first()
        provision = Provision.objects.filter(slug=provision_slug).first()
        if area and provision:
            area.classified_provisions.add(provision)
            StrategicArea.objects.filter(pk=area.pk).update(updated_at=now)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("programmes", "0008_status_index"),
        ("instruments", "0005_topics"),
        ("strategy", "0006_editorial_classification"),
        ("search", "0011_content_version_replaces_index_state"),
    ]

    # Going back leaves the fuller descriptions in place: the earlier ones were not a schema state.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
