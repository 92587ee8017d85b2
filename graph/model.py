"""The graph model, declared once.

Everything else is derived from what is declared here: the labels and relationship types the
store accepts (the whitelist used when a query needs a label), the uniqueness constraints and
indexes, validation of imported facts, the API's schemas, the Norwegian labels and the legend
colours of the views, and the Norwegian sentences that explain a path hop.

Node kinds are pydantic models (one class per kind); relationship kinds are `RelSpec`s that
name their allowed endpoints and their property model.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator
from stdnum.no import orgnr as stdnum_orgnr

# ---------------------------------------------------------------------------------------------
# Node kinds


class InitiativeKind(StrEnum):
    programme = "programme"
    project = "project"
    sub_project = "sub-project"
    delivery = "delivery"
    network = "network"
    product = "product"


class OrgType(StrEnum):
    municipality = "municipality"
    county_authority = "county_authority"
    state_agency = "state_agency"
    ministry = "ministry"
    university = "university"
    research = "research"
    company = "company"
    ngo = "ngo"
    network = "network"
    regional_collaboration = "regional_collaboration"
    other = "other"


def _iso_date(value: Any) -> str | None:
    """Dates are stored as ISO-8601 strings (FalkorDB has no temporal type)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    for fmt in ("%Y-%m", "%Y"):
        try:
            dt.datetime.strptime(text, fmt)
            return text
        except ValueError:
            continue
    raise ValueError(f"ugyldig dato: {text!r} (bruk ÅÅÅÅ-MM-DD)")


class NodeBase(BaseModel):
    """Properties every node has. `sources`, `first_seen` and `last_seen` are provenance."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    label: ClassVar[str] = ""
    label_no: ClassVar[str] = ""
    label_no_plural: ClassVar[str] = ""
    colour: ClassVar[str] = "#999999"
    shape: ClassVar[str] = "dot"
    #: properties that are personal data (GDPR): only returned to roles that allow it
    personal: ClassVar[tuple[str, ...]] = ()

    id: str = ""
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    description: str | None = None
    note: str | None = None
    sources: list[str] = Field(default_factory=list)
    first_seen: str | None = None
    last_seen: str | None = None


class Initiative(NodeBase):
    label: ClassVar[str] = "Initiative"
    label_no: ClassVar[str] = "Satsing"
    label_no_plural: ClassVar[str] = "Satsinger"
    colour: ClassVar[str] = "#1f77b4"
    shape: ClassVar[str] = "box"

    kind: InitiativeKind
    status: str | None = None
    phase: str | None = None
    start: str | None = None
    end: str | None = None
    saksnummer: str | None = None

    _dates = field_validator("start", "end", mode="before")(_iso_date)


class Organisation(NodeBase):
    label: ClassVar[str] = "Organisation"
    label_no: ClassVar[str] = "Organisasjon"
    label_no_plural: ClassVar[str] = "Organisasjoner"
    colour: ClassVar[str] = "#ff7f0e"
    shape: ClassVar[str] = "diamond"

    org_type: OrgType = OrgType.other
    orgnr: str | None = None

    @field_validator("orgnr", mode="before")
    @classmethod
    def _valid_orgnr(cls, value: Any) -> str | None:
        if value is None or str(value).strip() == "":
            return None
        try:
            return str(stdnum_orgnr.validate(str(value)))
        except Exception as exc:  # stdnum raises several ValidationError subclasses
            raise ValueError(f"ugyldig organisasjonsnummer {value!r}: {exc}") from exc


class Unit(NodeBase):
    label: ClassVar[str] = "Unit"
    label_no: ClassVar[str] = "Enhet"
    label_no_plural: ClassVar[str] = "Enheter"
    colour: ClassVar[str] = "#ffbb78"
    shape: ClassVar[str] = "triangle"

    organisation: str | None = None


class Person(NodeBase):
    label: ClassVar[str] = "Person"
    label_no: ClassVar[str] = "Person"
    label_no_plural: ClassVar[str] = "Personer"
    colour: ClassVar[str] = "#2ca02c"
    shape: ClassVar[str] = "dot"
    personal: ClassVar[tuple[str, ...]] = ("email", "phone")

    title: str | None = None
    email: str | None = None
    phone: str | None = None


class Municipality(NodeBase):
    label: ClassVar[str] = "Municipality"
    label_no: ClassVar[str] = "Kommune"
    label_no_plural: ClassVar[str] = "Kommuner"
    colour: ClassVar[str] = "#9467bd"
    shape: ClassVar[str] = "hexagon"

    kommunenummer: str = Field(pattern=r"^\d{4}$")
    county: str | None = None
    valid_from: str | None = None
    valid_to: str | None = None

    _dates = field_validator("valid_from", "valid_to", mode="before")(_iso_date)


class County(NodeBase):
    label: ClassVar[str] = "County"
    label_no: ClassVar[str] = "Fylke"
    label_no_plural: ClassVar[str] = "Fylker"
    colour: ClassVar[str] = "#c5b0d5"
    shape: ClassVar[str] = "hexagon"

    fylkesnummer: str = Field(pattern=r"^\d{2}$")
    valid_from: str | None = None
    valid_to: str | None = None

    _dates = field_validator("valid_from", "valid_to", mode="before")(_iso_date)


class TargetGroup(NodeBase):
    label: ClassVar[str] = "TargetGroup"
    label_no: ClassVar[str] = "Målgruppe"
    label_no_plural: ClassVar[str] = "Målgrupper"
    colour: ClassVar[str] = "#d62728"
    shape: ClassVar[str] = "star"


class Theme(NodeBase):
    label: ClassVar[str] = "Theme"
    label_no: ClassVar[str] = "Tema"
    label_no_plural: ClassVar[str] = "Temaer"
    colour: ClassVar[str] = "#e377c2"
    shape: ClassVar[str] = "star"


class FundingSource(NodeBase):
    label: ClassVar[str] = "FundingSource"
    label_no: ClassVar[str] = "Finansieringskilde"
    label_no_plural: ClassVar[str] = "Finansieringskilder"
    colour: ClassVar[str] = "#bcbd22"
    shape: ClassVar[str] = "square"


class Document(NodeBase):
    label: ClassVar[str] = "Document"
    label_no: ClassVar[str] = "Dokument"
    label_no_plural: ClassVar[str] = "Dokumenter"
    colour: ClassVar[str] = "#7f7f7f"
    shape: ClassVar[str] = "ellipse"

    path: str | None = None
    sha256: str | None = None
    document_date: str | None = None


NODE_KINDS: dict[str, type[NodeBase]] = {
    cls.label: cls
    for cls in (
        Initiative,
        Organisation,
        Unit,
        Person,
        Municipality,
        County,
        TargetGroup,
        Theme,
        FundingSource,
        Document,
    )
}

#: every node also carries this label, so a node can be found by id without knowing its kind
BASE_LABEL = "Node"

# ---------------------------------------------------------------------------------------------
# Relationship kinds


class RelProps(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    note: str | None = None


class NoProps(RelProps):
    pass


class DependsOnProps(RelProps):
    description: str | None = None
    owner: str | None = None
    handling: str | None = None


class HasRoleProps(RelProps):
    role: str = Field(min_length=1)
    title: str | None = None
    share: str | None = None


class PartnerProps(RelProps):
    role: str | None = None


class FundsProps(RelProps):
    amount_nok: int | None = Field(default=None, ge=0)
    year: int | None = Field(default=None, ge=1900, le=2100)


class SucceededByProps(RelProps):
    year: int | None = None


class MentionProps(RelProps):
    line: int = Field(ge=1)
    snippet: str | None = None


RelPropsClass = type[RelProps]


@dataclass(frozen=True)
class RelSpec:
    type: str
    endpoints: frozenset[tuple[str, str]]
    props: RelPropsClass
    #: Norwegian verb phrase: "<from> {verb} <to>"
    verb_no: str
    label_no: str
    colour: str = "#888888"
    #: property whose value distinguishes parallel relationships of this type between two nodes
    key_prop: str | None = None
    #: a property whose text is added to the explanation ("…: <description>")
    explain_prop: str | None = None
    dashes: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def allows(self, from_kind: str, to_kind: str) -> bool:
        return (from_kind, to_kind) in self.endpoints


def _pairs(froms: str, tos: str) -> frozenset[tuple[str, str]]:
    return frozenset((a, b) for a in froms.split() for b in tos.split())


REL_KINDS: dict[str, RelSpec] = {
    spec.type: spec
    for spec in (
        RelSpec(
            "PART_OF",
            _pairs("Initiative", "Initiative")
            | _pairs("Unit", "Unit Organisation Municipality")
            | _pairs("Organisation", "Organisation Municipality"),
            NoProps,
            "er en del av",
            "Del av",
            "#7f7f7f",
        ),
        RelSpec(
            "DEPENDS_ON",
            _pairs("Initiative", "Initiative"),
            DependsOnProps,
            "er avhengig av",
            "Avhengig av",
            "#d62728",
            explain_prop="description",
            dashes=True,
        ),
        RelSpec(
            "HAS_ROLE",
            _pairs("Person", "Initiative Organisation Unit Municipality"),
            HasRoleProps,
            "har rollen {role} i",
            "Rolle",
            "#2ca02c",
            key_prop="role",
        ),
        RelSpec(
            "MEMBER_OF",
            _pairs("Person", "Unit Organisation Municipality")
            | _pairs("Municipality", "Organisation")
            | _pairs("Organisation", "Organisation"),
            NoProps,
            "er medlem av",
            "Medlem av",
            "#98df8a",
        ),
        RelSpec(
            "PARTNER_IN",
            _pairs("Organisation Unit Municipality Person", "Initiative"),
            PartnerProps,
            "er samarbeidspartner i",
            "Partner i",
            "#ff7f0e",
            key_prop="role",
        ),
        RelSpec(
            "FUNDS",
            _pairs("FundingSource Organisation Municipality", "Initiative")
            | _pairs("Organisation", "FundingSource"),
            FundsProps,
            "finansierer",
            "Finansierer",
            "#bcbd22",
            key_prop="year",
        ),
        RelSpec(
            "TARGETS",
            _pairs("Initiative", "TargetGroup"),
            NoProps,
            "retter seg mot",
            "Målgruppe",
            "#d62728",
        ),
        RelSpec(
            "ADDRESSES",
            _pairs("Initiative", "Theme"),
            NoProps,
            "handler om",
            "Tema",
            "#e377c2",
        ),
        RelSpec(
            "PARTICIPATES_IN",
            _pairs("Municipality Organisation Unit Person", "Initiative"),
            PartnerProps,
            "deltar i",
            "Deltar i",
            "#9467bd",
            key_prop="role",
        ),
        RelSpec(
            "LOCATED_IN",
            _pairs("Organisation Unit Initiative", "Municipality"),
            NoProps,
            "ligger i",
            "Ligger i",
            "#c5b0d5",
        ),
        RelSpec(
            "IN_COUNTY",
            _pairs("Municipality", "County"),
            NoProps,
            "ligger i fylket",
            "I fylke",
            "#c5b0d5",
        ),
        RelSpec(
            "SUCCEEDED_BY",
            _pairs("Municipality", "Municipality"),
            SucceededByProps,
            "ble videreført som",
            "Etterfulgt av",
            "#8c564b",
            dashes=True,
        ),
        RelSpec(
            "MENTIONED_IN",
            frozenset((k, "Document") for k in NODE_KINDS if k != "Document"),
            MentionProps,
            "er nevnt i",
            "Nevnt i",
            "#c7c7c7",
            key_prop="line",
            dashes=True,
        ),
    )
}


class ModelError(ValueError):
    """A fact the model does not allow (unknown kind, forbidden endpoints, bad property)."""


def node_kind(label: str) -> type[NodeBase]:
    try:
        return NODE_KINDS[label]
    except KeyError:
        raise ModelError(
            f"ukjent nodetype {label!r}; tillatte typer: {', '.join(NODE_KINDS)}"
        ) from None


def rel_kind(rel_type: str) -> RelSpec:
    try:
        return REL_KINDS[rel_type]
    except KeyError:
        raise ModelError(
            f"ukjent relasjonstype {rel_type!r}; tillatte typer: {', '.join(REL_KINDS)}"
        ) from None


def check_endpoints(rel_type: str, from_kind: str, to_kind: str) -> RelSpec:
    """Refuse a relationship whose endpoints the model does not allow."""
    spec = rel_kind(rel_type)
    if not spec.allows(from_kind, to_kind):
        allowed = ", ".join(sorted(f"{a}→{b}" for a, b in spec.endpoints))
        raise ModelError(
            f"{rel_type} er ikke tillatt fra {from_kind} til {to_kind}; tillatt: {allowed}"
        )
    return spec


#: role words that name a group: "X er med i arbeidsgruppen for Y", not "X er arbeidsgruppe i Y"
_GROUP_ENDINGS = ("gruppe", "gruppen", "utvalg", "utvalget", "styre", "styret", "råd", "rådet")


def _role_phrase(role: str) -> str:
    """The verb phrase of a role: one role word reads "er prosjekteier i", a group
    "er med i arbeidsgruppe for", several words (e.g. "Godkjent av") "har rollen «…» i"."""
    if not role:
        return "har en rolle i"
    word = role[0].lower() + role[1:]
    if " " not in role.strip():
        if word.endswith(_GROUP_ENDINGS):
            return f"er med i {word} for"
        return f"er {word} i"
    return f"har rollen «{role}» i"


def explain(rel_type: str, from_name: str, to_name: str, props: dict[str, Any]) -> str:
    """A Norwegian sentence for one relationship, built from the model."""
    spec = rel_kind(rel_type)
    verb = spec.verb_no
    if "{role}" in verb:
        verb = _role_phrase(str(props.get("role") or ""))
    sentence = f"{from_name} {verb} {to_name}"
    if spec.type == "FUNDS" and props.get("amount_nok"):
        sentence += f" med {int(props['amount_nok']):,} kr".replace(",", " ")
        if props.get("year"):
            sentence += f" ({props['year']})"
    if spec.explain_prop and props.get(spec.explain_prop):
        sentence += f": {props[spec.explain_prop]}"
    return sentence


def legend() -> list[dict[str, str]]:
    """Legend entries for the views, derived from the node kinds."""
    return [
        {"kind": k, "label": cls.label_no, "colour": cls.colour, "shape": cls.shape}
        for k, cls in NODE_KINDS.items()
    ]


def personal_properties() -> set[str]:
    return {p for cls in NODE_KINDS.values() for p in cls.personal}
