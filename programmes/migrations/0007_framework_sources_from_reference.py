"""Bring a database loaded from the earlier framework content in line with the corrected sources.

``load_framework`` never touches a record that exists, so the corrections made to ``content/framework.toml``
(sources from ``shared/reference/framework-facts.md`` for facts that cited only the seed or an unlisted page, C182's
own NORMLEX page instead of the NORMLEX home page, the Rio Declaration's summary without the document names no sheet
gives) reach an already-loaded database only through here. Records are matched by slug, and each change is made only
where the record still holds exactly what the earlier load wrote: a source or text an editor changed since is left
as the editor left it, and a database without these records (an empty one) is not touched.
"""

from django.db import migrations
from django.utils import timezone

SEED = "UNICEF's Framework for Action on children and ICTs"
NORMLEX_TITLE = "ILO NORMLEX: C182 Worst Forms of Child Labour Convention, 1999"
NORMLEX_HOME = "https://normlex.ilo.org"
NORMLEX_C182 = "https://normlex.ilo.org/dyn/nrmlx_en/f?p=NORMLEXPUB:12100:0::NO::P12100_ILO_CODE:C182"
UN_A_61_299_TITLE = "United Nations document A/61/299"
UN_A_61_299 = "https://www.un.org/en/ga/search/view_doc.asp?symbol=A/61/299"
ITU_COP_TITLE = "ITU: Child Online Protection"
ITU_COP = "https://www.itu.int/en/cop"
PRESS_RELEASE_TITLE = "UNICEF press release of 28 November 2008 on World Congress III"
PRESS_RELEASE = "https://www.unicef.org/malaysia/media_9718.html"
CHILDWATCH_TITLE = "Childwatch International: Rio de Janeiro Declaration"
CHILDWATCH = "https://www.childwatch.uio.no/news/2009/rio-declaration.html"

OLD_ISO = ("ISO 3166-1 country codes", "https://www.iso.org/iso-3166-country-codes.html", "Country codes and names")
ISO_OBP = ("ISO Online Browsing Platform", "https://www.iso.org/obp/ui/#search", "ISO 3166-1 alpha-2 and alpha-3 codes")
UN_M49 = (
    "UN Statistics Division: M49 country codes",
    "https://unstats.un.org/unsd/methodology/m49/",
    "Short name used by the UN",
)

RIO_LINEAGE = "Adoption in November 2008; follows Stockholm (1996) and Yokohama (2001)"
CONGRESS_DATES = "Place and dates (25–28 November 2008)"

# Sources as (title, url, supports). For each record: the sources to replace (the old one, as loaded, by the new
# ones) and the sources to add (unless the record already has a source with that link).
REPLACE = "replace"
ADD = "add"
SOURCES: dict[tuple[str, str, str], dict] = {
    ("directory", "organisation", "un-general-assembly"): {
        ADD: [
            (
                "UNODC: United Nations Convention against Transnational Organized Crime and its Protocols",
                "https://www.unodc.org/unodc/en/organized-crime/intro/UNTOC.html",
                "Adoption of the Palermo Protocol (A/RES/55/25)",
            ),
            (UN_A_61_299_TITLE, UN_A_61_299, "The UN Study on Violence against Children presented to it (A/61/299)"),
        ],
    },
    ("directory", "organisation", "ilo"): {
        REPLACE: [
            (
                (NORMLEX_TITLE, NORMLEX_HOME, "Adoption of C182"),
                [(NORMLEX_TITLE, NORMLEX_C182, "Adoption of C182")],
            ),
        ],
    },
    ("directory", "organisation", "world-congress-iii"): {
        ADD: [(PRESS_RELEASE_TITLE, PRESS_RELEASE, CONGRESS_DATES), (CHILDWATCH_TITLE, CHILDWATCH, CONGRESS_DATES)],
    },
    **{
        ("directory", "country", slug): {REPLACE: [(OLD_ISO, [ISO_OBP, UN_M49])]}
        for slug in ("south-africa", "ukraine", "indonesia", "zambia", "argentina", "costa-rica")
    },
    **{
        ("directory", "country", slug): {
            REPLACE: [(OLD_ISO, [(SEED, "", f'The spelling "{spelling}"'), ISO_OBP, UN_M49])],
        }
        for slug, spelling in (("russian-federation", "Russia"), ("turkiye", "Turkey"), ("viet-nam", "Vietnam"))
    },
    ("instruments", "instrument", "ilo-c182"): {
        REPLACE: [
            (
                (NORMLEX_TITLE, NORMLEX_HOME, "Titles, adoption, entry into force, fundamental convention"),
                [(NORMLEX_TITLE, NORMLEX_C182, "Titles, adoption, entry into force, fundamental convention")],
            ),
        ],
    },
    ("instruments", "instrument", "un-study-violence-against-children"): {
        REPLACE: [
            (
                (UN_A_61_299_TITLE, UN_A_61_299, "Title, document symbol and date, independent expert"),
                [
                    (
                        UN_A_61_299_TITLE,
                        UN_A_61_299,
                        "Title, document symbol and date, independent expert, launch of the World Report",
                    )
                ],
            ),
        ],
    },
    ("instruments", "instrument", "rio-declaration"): {
        ADD: [(PRESS_RELEASE_TITLE, PRESS_RELEASE, RIO_LINEAGE), (CHILDWATCH_TITLE, CHILDWATCH, RIO_LINEAGE)],
    },
    ("programmes", "partnership", "itu-child-online-protection"): {
        REPLACE: [
            (
                (ITU_COP_TITLE, ITU_COP, "Launch in November 2008 within the Global Cybersecurity Agenda"),
                [
                    (
                        ITU_COP_TITLE,
                        ITU_COP,
                        "A multi-stakeholder initiative; launch in November 2008 within the Global Cybersecurity"
                        " Agenda",
                    )
                ],
            ),
        ],
    },
}

# Record fields as loaded -> as corrected: (app, model, slug, field, old, new). The search index keeps its own copy
# of a record's summary, so a corrected summary is corrected there too.
INDEXED_FIELDS = {"summary"}
FIELDS = [
    ("instruments", "instrument", "ilo-c182", "official_url", NORMLEX_HOME, NORMLEX_C182),
    (
        "instruments",
        "instrument",
        "rio-declaration",
        "summary",
        "Adopted at the third World Congress against Sexual Exploitation of Children and Adolescents; it follows the "
        "Stockholm Declaration and Agenda for Action (1996) and the Yokohama Global Commitment (2001).",
        "Adopted at the third World Congress against Sexual Exploitation of Children and Adolescents, in November "
        "2008; it follows on from the World Congresses of Stockholm (1996) and Yokohama (2001).",
    ),
]


def _record(apps, app_label: str, model_name: str, slug: str):
    """The record and its content type, or (None, None) when the database does not hold it."""
    content_type = (
        apps.get_model("contenttypes", "ContentType").objects.filter(app_label=app_label, model=model_name).first()
    )
    record = apps.get_model(app_label, model_name).objects.filter(slug=slug).first()
    return (record, content_type) if record and content_type else (None, None)


def _correct_sources(apps, record, content_type, changes: dict) -> bool:
    Source = apps.get_model("directory", "Source")
    owner = {"content_type": content_type, "object_id": record.pk}
    sources = Source.objects.filter(**owner)
    changed = False
    for (title, url, supports), replacements in changes.get(REPLACE, []):
        old = sources.filter(title=title, url=url, supports=supports).first()
        if old is None:
            continue
        old.delete()
        for new_title, new_url, new_supports in replacements:
            if not sources.filter(title=new_title, url=new_url, supports=new_supports).exists():
                Source.objects.create(**owner, title=new_title, url=new_url, supports=new_supports)
        changed = True
    for title, url, supports in changes.get(ADD, []):
        if not sources.filter(url=url).exists():
            Source.objects.create(**owner, title=title, url=url, supports=supports)
            changed = True
    return changed


def forwards(apps, schema_editor):
    now = timezone.now()
    for (app_label, model_name, slug), changes in SOURCES.items():
        record, content_type = _record(apps, app_label, model_name, slug)
        if record and _correct_sources(apps, record, content_type, changes):
            type(record).objects.filter(pk=record.pk).update(updated_at=now)
    SearchDocument = apps.get_model("search", "SearchDocument")
    for app_label, model_name, slug, field, old, new in FIELDS:
        record, content_type = _record(apps, app_label, model_name, slug)
        if record is None:
            continue
        updated = type(record).objects.filter(pk=record.pk, **{field: old}).update(**{field: new, "updated_at": now})
        if updated and field in INDEXED_FIELDS:
            # The index's triggers update its full-text columns and the token cached search pages are keyed by.
            documents = SearchDocument.objects.filter(content_type=content_type, object_id=record.pk)
            documents.filter(**{field: old}).update(**{field: new})


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("programmes", "0006_roles"),
        ("search", "0009_fewer_indexes"),
    ]

    # Going back leaves the corrected sources in place: the earlier ones were wrong, not a schema state.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
