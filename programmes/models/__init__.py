"""UNICEF's work at country and global level: programmes, partnerships, their activities and outputs.

One module a kind of work (``initiatives``: programmes; ``partnerships``: partnerships and their activities;
``outputs``; ``roles``: organisations' parts in them); everything is imported from here (``programmes.models``).
"""

# Imported in the order the record types register in (pages and the loader follow it), not alphabetically.
# isort: off
from .initiatives import YEAR_VALIDATORS, FocusedInitiative, Initiative, InitiativeKind, Programme, year_is_sane
from .partnerships import LAUNCHED, Activity, Partnership
from .outputs import Output, OutputKind
from .roles import (
    ROLE_LABELS,
    ROLE_LINKED_DATA,
    ActivityOrganisation,
    OrganisationRole,
    PartnershipMember,
    ProgrammeOrganisation,
    Role,
    role_constraints,
)

# isort: on

__all__ = [
    "LAUNCHED",
    "ROLE_LABELS",
    "ROLE_LINKED_DATA",
    "YEAR_VALIDATORS",
    "Activity",
    "ActivityOrganisation",
    "FocusedInitiative",
    "Initiative",
    "InitiativeKind",
    "OrganisationRole",
    "Output",
    "OutputKind",
    "Partnership",
    "PartnershipMember",
    "Programme",
    "ProgrammeOrganisation",
    "Role",
    "role_constraints",
    "year_is_sane",
]
