"""What the map's SVG draws: a cached layer of every country's shape, and over it the countries that have a record,
each a link shaded by how many published records are linked to it.

The classes are fixed (not quantiles of the data), so a country's shade means the same whatever else changes. Each
fill has at least 3:1 contrast with the borders (WCAG 2.1 AA for graphics), and the shade is never the only
carrier: every link's accessible name and the table beside the map give the number.
"""

import functools
from dataclasses import dataclass

from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .selectors import CountryCount
from .world import Shape, numeric_codes, world

BORDER = "#333333"
NO_RECORD = "#d9d9d9"  # countries without a record: drawn, not links
# (fewest linked records, most or None, fill, legend text)
CLASSES = (
    (0, 0, "#ffffcc", gettext_lazy("none yet")),
    (1, 1, "#c7e9b4", gettext_lazy("1")),
    (2, 4, "#7fcdbb", gettext_lazy("2 to 4")),
    (5, 19, "#41b6c4", gettext_lazy("5 to 19")),
    (20, None, "#1d91c0", gettext_lazy("20 or more")),
)


def fill_of(count: int) -> str:
    """The fill of a country with ``count`` linked records."""
    return next(fill for low, high, fill, _text in CLASSES if count >= low and (high is None or count <= high))


@functools.cache
def base_layer() -> SafeString:
    """Every country's shape as one SVG string, made once per process: the page adds only the linked countries.
    Borders keep their width however small the picture is drawn (the home page's), as on the map page."""
    return format_html_join(
        "", '<path d="{}" vector-effect="non-scaling-stroke"/>', ((shape.path,) for shape in world().shapes)
    )


@dataclass(frozen=True)
class MapCountry:
    record: object
    count: int
    shape: Shape | None  # None: too small for the 1:110m shapes (listed beside the map)
    fill: str

    @property
    def name(self) -> str:
        """The accessible name: the country and the number, so the shade is never the only sign."""
        linked = ngettext("%(count)s published record linked", "%(count)s published records linked", self.count) % {
            "count": self.count
        }
        return f"{self.record.title}: {linked}"

    @property
    def small(self) -> bool:
        return self.shape is None or self.shape.small


@dataclass(frozen=True)
class Drawing:
    countries: list  # MapCountry of every published country, by title
    legend: list  # (fill, text)

    @property
    def drawn(self) -> list:
        return [country for country in self.countries if country.shape is not None]

    @property
    def small(self) -> list:
        return [country for country in self.countries if country.small]

    @property
    def reached(self) -> int:
        return sum(1 for country in self.countries if country.count)


def draw(counts: list[CountryCount]) -> Drawing:
    """The map's countries: each published country with its shape (found by its ISO code) and its shade."""
    by_numeric = {shape.numeric: shape for shape in world().shapes if shape.numeric}
    codes = numeric_codes()
    countries = []
    for item in counts:
        shape = by_numeric.get(codes.get(item.country.iso_alpha2, ""))
        countries.append(MapCountry(item.country, item.count, shape, fill_of(item.count)))
    legend = [(fill, str(text)) for _low, _high, fill, text in CLASSES]
    return Drawing(countries, legend)


def map_title() -> str:
    return _("Countries the framework's work reaches, shaded by the number of published records linked to each")
