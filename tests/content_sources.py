"""The source pages the reference sheets give, and which of them a record cites for a fact.

Shared by the content tests (tests/test_content.py) and the tests of loading and of the sources migration
(tests/test_content_loading.py).
"""

# The source pages the reference sheets (shared/reference/framework-facts.md and provisions.md) give.
OHCHR_CRC = "https://www.ohchr.org/en/instruments-mechanisms/instruments/convention-rights-child"
UN_AVL_CRC = "https://legal.un.org/avl/ha/crc/crc.html"
NORMLEX_C182 = "https://normlex.ilo.org/dyn/nrmlx_en/f?p=NORMLEXPUB:12100:0::NO::P12100_ILO_CODE:C182"
UNODC_UNTOC = "https://www.unodc.org/unodc/en/organized-crime/intro/UNTOC.html"
COE_201 = "https://www.coe.int/en/web/conventions/full-list?module=treaty-detail&treatynum=201"
COE_185 = "https://www.coe.int/en/web/conventions/full-list?module=treaty-detail&treatynum=185"
UN_A_61_299 = "https://www.un.org/en/ga/search/view_doc.asp?symbol=A/61/299"
UNICEF_RIO_PRESS_RELEASE = "https://www.unicef.org/malaysia/media_9718.html"
CHILDWATCH_RIO = "https://www.childwatch.uio.no/news/2009/rio-declaration.html"
ITU_COP = "https://www.itu.int/en/cop"
TOGETHER_FOR_GIRLS = "https://www.togetherforgirls.org"
ISO_OBP = "https://www.iso.org/obp/ui/#search"
UN_M49 = "https://unstats.un.org/unsd/methodology/m49/"
# Given only by provisions.md, for the articles of these two instruments.
OHCHR_OPSC = "https://www.ohchr.org/en/instruments-mechanisms/instruments/optional-protocol-convention-rights-child-sale-children-child"
OHCHR_PALERMO = "https://www.ohchr.org/en/instruments-mechanisms/instruments/protocol-prevent-suppress-and-punish-trafficking-persons"
REFERENCE_URLS = {
    OHCHR_OPSC,
    OHCHR_PALERMO,
    OHCHR_CRC,
    UN_AVL_CRC,
    NORMLEX_C182,
    UNODC_UNTOC,
    COE_201,
    COE_185,
    UN_A_61_299,
    UNICEF_RIO_PRESS_RELEASE,
    CHILDWATCH_RIO,
    ITU_COP,
    TOGETHER_FOR_GIRLS,
    ISO_OBP,
    UN_M49,
}


def supported_by(record, fact: str) -> set[str]:
    """The links of the record's sources that say they support ``fact`` (as its "Sources" list shows them)."""
    return {source.url for source in record.sources.all() if fact.lower() in source.supports.lower()}
