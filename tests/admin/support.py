"""Builders for valid records and link rows, and helpers for posting admin forms."""

import itertools
import re
import string

from django.urls import reverse

from directory.models import Country, Organisation
from instruments.models import Instrument, InstrumentRelation, Provision
from programmes.models import (
    Activity,
    ActivityOrganisation,
    Output,
    Partnership,
    PartnershipMember,
    Programme,
    ProgrammeOrganisation,
)
from strategy.models import FocusArea, Principle, Right, Sector, StakeholderGroup, StrategicArea

_sequence = itertools.count(1)


def _letters(number: int, length: int) -> str:
    """A distinct upper-case code of ``length`` letters for each number (AA, AB, …)."""
    letters = []
    for _ in range(length):
        number, digit = divmod(number, 26)
        letters.append(string.ascii_uppercase[digit])
    return "".join(reversed(letters))


def _record(model, overrides: dict, **required):
    number = next(_sequence)
    name = model._meta.model_name
    fields = {"slug": f"{name}-{number}", "title": f"{name.capitalize()} {number}", **required, **overrides}
    return model.objects.create(**fields)


def make_country(**overrides) -> Country:
    # Codes never start with Z, which tests keep for codes they type into forms.
    number = next(_sequence)
    return _record(
        Country, overrides, iso_alpha2=_letters(number % (25 * 26), 2), iso_alpha3=_letters(number % (25 * 26**2), 3)
    )


def make_organisation(**overrides) -> Organisation:
    return _record(Organisation, overrides, kind=Organisation.Kind.UN_AGENCY)


def make_instrument(**overrides) -> Instrument:
    return _record(Instrument, overrides, official_title="An instrument", kind=Instrument.Kind.CONVENTION)


def make_provision(**overrides) -> Provision:
    if "instrument" not in overrides:
        overrides["instrument"] = make_instrument()
    return _record(Provision, overrides, number=str(next(_sequence)))


def make_strategic_area(**overrides) -> StrategicArea:
    return _record(StrategicArea, overrides, position=next(_sequence))


def make_right(**overrides) -> Right:
    return _record(Right, overrides, side=Right.Side.PROTECTION)


def make_stakeholder_group(**overrides) -> StakeholderGroup:
    return _record(StakeholderGroup, overrides)


def make_sector(**overrides) -> Sector:
    return _record(Sector, overrides)


def make_focus_area(**overrides) -> FocusArea:
    return _record(FocusArea, overrides, level="country", position=next(_sequence))


def make_principle(**overrides) -> Principle:
    return _record(
        Principle, overrides, scope=Principle.Scope.STRATEGY, position=next(_sequence), statement="In its words."
    )


def make_programme(**overrides) -> Programme:
    return _record(Programme, overrides, kind=Programme.Kind.RESEARCH, level="global", year=2011)


def make_partnership(**overrides) -> Partnership:
    return _record(Partnership, overrides)


def make_activity(**overrides) -> Activity:
    if "partnership" not in overrides:
        overrides["partnership"] = make_partnership()
    return _record(Activity, overrides, kind=Activity.Kind.MEETING, level="global", year=2010)


def make_output(**overrides) -> Output:
    if "programme" not in overrides:
        overrides["programme"] = make_programme()
    return _record(Output, overrides, kind=Output.Kind.REPORT, year=2011)


def make_instrument_relation(**overrides) -> InstrumentRelation:
    fields = {"subject": make_instrument(), "kind": "supplements", "object": make_instrument(), **overrides}
    return InstrumentRelation.objects.create(**fields)


def make_programme_organisation(**overrides) -> ProgrammeOrganisation:
    fields = {"programme": make_programme(), "organisation": make_organisation(), "kind": "lead", **overrides}
    return ProgrammeOrganisation.objects.create(**fields)


def make_partnership_member(**overrides) -> PartnershipMember:
    fields = {"partnership": make_partnership(), "organisation": make_organisation(), "kind": "partner", **overrides}
    return PartnershipMember.objects.create(**fields)


def make_activity_organisation(**overrides) -> ActivityOrganisation:
    fields = {"activity": make_activity(), "organisation": make_organisation(), "kind": "convener", **overrides}
    return ActivityOrganisation.objects.create(**fields)


BUILDERS = {
    Country: make_country,
    Organisation: make_organisation,
    Instrument: make_instrument,
    Provision: make_provision,
    StrategicArea: make_strategic_area,
    Right: make_right,
    StakeholderGroup: make_stakeholder_group,
    Sector: make_sector,
    FocusArea: make_focus_area,
    Principle: make_principle,
    Programme: make_programme,
    Partnership: make_partnership,
    Activity: make_activity,
    Output: make_output,
    InstrumentRelation: make_instrument_relation,
    ProgrammeOrganisation: make_programme_organisation,
    PartnershipMember: make_partnership_member,
    ActivityOrganisation: make_activity_organisation,
}

RECORD_MODELS = [model for model in BUILDERS if hasattr(model, "aliases")]
LINK_MODELS = [model for model in BUILDERS if model not in RECORD_MODELS]


def make(model, **overrides):
    return BUILDERS[model](**overrides)


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


_MANAGEMENT_INPUT = re.compile(
    r'name="(?P<name>[\w-]+-(?:TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS)" value="(?P<value>\d*)"'
)


def management_data(html: str) -> dict:
    """The inline formsets' management fields as the page renders them, with no extra rows added."""
    data = {match["name"]: match["value"] for match in _MANAGEMENT_INPUT.finditer(html)}
    for name in list(data):
        if name.endswith("-TOTAL_FORMS"):
            data[name] = data[name.replace("TOTAL", "INITIAL")]
    return data


def form_errors(response) -> str:
    """Every error on a re-rendered admin form, to say why a post that should have saved did not."""
    context = response.context
    if context is None or "adminform" not in context:
        return f"status {response.status_code}"
    errors = [context["adminform"].form.errors.as_text()]
    for inline in context["inline_admin_formsets"]:
        errors += [str(inline.formset.errors), str(inline.formset.non_form_errors())]
    return "; ".join(error for error in errors if error and error != "[]")
