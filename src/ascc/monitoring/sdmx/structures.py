"""SDMX-REST structure queries (SDMX-REST 1.5, the paths ``sdmx1``'s ``Client`` asks): SDMX-ML 2.1
structure messages built with ``sdmx1``'s information model and written by its writer; the same
objects as SDMX-JSON 2.0.0 structure messages (``query_json``, ``sdmx_structure_json``).

``{resource}/{agency}/{id}/{version}`` where resource is one of :data:`RESOURCES`; ``all`` (or the
part left out) for any agency, id or version, ``latest`` for the version; ``+`` joins ids. What this
service maintains (agency ASEAN, version 1.0):

- dataflow ``DF_ASCC_IND`` and its data structure ``DSD_ASCC_IND`` (dimensions
  REF_AREA.SUBNATIONAL.INDICATOR.SEX.AGE.URBANISATION, TIME_PERIOD, measure OBS_VALUE, attributes
  OBS_STATUS and UNIT_MEASURE coded, DATA_SOURCE and COMMENT_OBS as text);
- codelists CL_AREA (member states from the registry, their subnational areas with the member state
  as parent, ``_Z`` for the national level), CL_INDICATOR (every indicator of the catalogue under its
  SDMX id, e.g. ``SP_POP_TOTL``; the platform's code in the annotation ``ASCC_CODE``), CL_SEX, CL_AGE
  (the age groups published data use), CL_URBANISATION, CL_OBS_STATUS and CL_UNIT_MEASURE (each
  indicator's unit by its unit code, ``monitoring.units.code``: ``PT_OF_GDP``); names in English and
  Indonesian (area names are proper names, the same in both);
- concept scheme ``CS_ASCC_IND``;
- content constraint ``CC_DF_ASCC_IND`` (role *actual*): per dimension the codes with published data;
- agency scheme ``SDMX:AGENCIES(1.0)`` with the agency ASEAN.

``references``: none, parents, parentsandsiblings, children, descendants, all, or a resource name
(those of the referenced artefacts of that kind); ``detail``: full, allstubs, referencestubs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from ascc.kit.errors import NotFound
from ascc.monitoring import published, rules, terms
from ascc.monitoring import units as unit_codes
from ascc.monitoring.models import TOTAL, Area, Indicator, Observation
from ascc.monitoring.sdmx import messages as sdmx
from ascc.monitoring.sdmx import structures_json as sdmx_structure_json
from ascc.monitoring.sdmx.ids import DATAFLOW_ID
from ascc.monitoring.sdmx.rest import AGENCY, VERSION, BadRequest, NotImplementedHere, check_at_observation

#: resource → the StructureMessage collection that holds it
RESOURCES = {
    "dataflow": "dataflow",
    "datastructure": "structure",
    "codelist": "codelist",
    "conceptscheme": "concept_scheme",
    "contentconstraint": "constraint",
    "agencyscheme": "organisation_scheme",
}
REFERENCES = ("none", "parents", "parentsandsiblings", "children", "descendants", "all")
DETAILS = ("full", "allstubs", "referencestubs")
#: SDMX-REST 1.5 values of ``detail`` this service does not implement (501)
DETAILS_NOT_DONE = ("referencepartial", "allcompletestubs", "referencecompletestubs")
MEDIA = "application/vnd.sdmx.structure+xml; version=2.1"
JSON_MEDIA = sdmx_structure_json.MEDIA
#: the annotation type that carries the platform's own code of an indicator (``SP.POP.TOTL``)
CODE_ANNOTATION = "ASCC_CODE"
DSD_ID, CONCEPTS_ID, CONSTRAINT_ID = "DSD_ASCC_IND", "CS_ASCC_IND", f"CC_{DATAFLOW_ID}"
MES = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"
COM = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common"

_PART = re.compile(r"^[A-Za-z0-9_@$\-.+*~]{1,200}$")
Names = dict[str, str]
CONCEPTS: dict[str, Names] = {
    "REF_AREA": {"en": "Reference area (member state)", "id": "Wilayah acuan (negara anggota)"},
    "SUBNATIONAL": {"en": "Subnational area", "id": "Wilayah subnasional"},
    "INDICATOR": {"en": "Indicator", "id": "Indikator"},
    "SEX": {"en": "Sex", "id": "Jenis kelamin"},
    "AGE": {"en": "Age", "id": "Umur"},
    "URBANISATION": {"en": "Degree of urbanisation", "id": "Tingkat urbanisasi"},
    "TIME_PERIOD": {"en": "Time period", "id": "Periode waktu"},
    "OBS_VALUE": {"en": "Observation value", "id": "Nilai observasi"},
    "OBS_STATUS": {"en": "Observation status", "id": "Status observasi"},
    "UNIT_MEASURE": {"en": "Unit of measure", "id": "Satuan ukuran"},
    "DATA_SOURCE": {"en": "Data source", "id": "Sumber data"},
    "COMMENT_OBS": {"en": "Comment", "id": "Komentar"},
}
SEX: dict[str, Names] = {
    TOTAL: {"en": "Total", "id": "Total"},
    "F": {"en": "Female", "id": "Perempuan"},
    "M": {"en": "Male", "id": "Laki-laki"},
}
URBANISATION: dict[str, Names] = {
    TOTAL: {"en": "Total", "id": "Total"},
    "U": {"en": "Urban", "id": "Perkotaan"},
    "R": {"en": "Rural", "id": "Perdesaan"},
}
#: the whole SDMX CL_OBS_STATUS (names in both languages): an import keeps E, B, F … as given
OBS_STATUS: dict[str, Names] = dict(rules.OBS_STATUS_CODES)
NOT_APPLICABLE: Names = {"en": "Not applicable (national level)", "id": "Tidak berlaku (tingkat nasional)"}
ASEAN_NAME: Names = {
    "en": "Association of Southeast Asian Nations",
    "id": "Perhimpunan Bangsa-Bangsa Asia Tenggara",
}
#: the codelist of each coded component
CODED = {
    "REF_AREA": "CL_AREA",
    "SUBNATIONAL": "CL_AREA",
    "INDICATOR": "CL_INDICATOR",
    "SEX": "CL_SEX",
    "AGE": "CL_AGE",
    "URBANISATION": "CL_URBANISATION",
    "OBS_STATUS": "CL_OBS_STATUS",
    "UNIT_MEASURE": "CL_UNIT_MEASURE",
}


def age_name(code: str) -> Names:
    """The English and Indonesian name of an SDMX age code (``Y15T24``: 15 to 24 years)."""
    if code == TOTAL:
        return {"en": "All ages", "id": "Semua umur"}
    if m := re.fullmatch(r"Y(\d+)T(\d+)", code):
        return {"en": f"{m[1]} to {m[2]} years", "id": f"{m[1]} sampai {m[2]} tahun"}
    if m := re.fullmatch(r"Y_GE(\d+)", code):
        return {"en": f"{m[1]} years and over", "id": f"{m[1]} tahun ke atas"}
    if m := re.fullmatch(r"Y_LT(\d+)", code):
        return {"en": f"Under {m[1]} years", "id": f"Di bawah {m[1]} tahun"}
    if m := re.fullmatch(r"Y(\d+)", code):
        return {"en": f"{m[1]} years", "id": f"{m[1]} tahun"}
    return {"en": code}


def _names(names: dict[str, str | None]) -> dict[str, str]:
    return {lang: text for lang, text in names.items() if text}


@dataclasses.dataclass
class Structures:
    """Every artefact this service maintains, and what refers to what (``children``)."""

    artefacts: dict[tuple[str, str], object]
    children: dict[tuple[str, str], set[tuple[str, str]]]

    def parents(self, key: tuple[str, str]) -> set[tuple[str, str]]:
        return {k for k, kids in self.children.items() if key in kids}

    def descendants(self, key: tuple[str, str]) -> set[tuple[str, str]]:
        out: set[tuple[str, str]] = set()
        todo = [key]
        while todo:
            for k in self.children[todo.pop()] - out:
                out.add(k)
                todo.append(k)
        return out

    def referenced(self, key: tuple[str, str], references: str) -> set[tuple[str, str]]:
        """The keys of the artefacts that ``references=`` adds to the one of ``key``."""
        if references == "none":
            return set()
        if references == "children":
            return set(self.children[key])
        if references == "descendants":
            return self.descendants(key)
        parents = self.parents(key)
        if references == "parents":
            return parents
        siblings = parents | {k for p in parents for k in self.children[p]}
        if references == "parentsandsiblings":
            return siblings
        everything = siblings | self.descendants(key)
        if references == "all":
            return everything
        return {
            k for k in everything | {k for p in parents for k in self.descendants(p)} if k[0] == references
        }


def build(session: Session) -> Structures:
    """The dataflow, its structure, codelists, concepts, constraint and agency scheme, from the
    catalogue, the registry and the published observations."""
    from sdmx.model import common
    from sdmx.model import v21 as m

    agency = common.Agency(id=AGENCY, name=ASEAN_NAME)
    # isExternalReference is written, so it is stated (the schema wants a boolean, not "none")
    meta = {"maintainer": agency, "version": VERSION, "is_final": True, "is_external_reference": False}

    def codelist(cl_id: str, name: Names, codes: Iterable[tuple[str, Names]]) -> m.Codelist:
        cl = m.Codelist(id=cl_id, name=name, **meta)
        for code, names in codes:
            cl.append(m.Code(id=code, name=_names(names)))
        return cl

    # the codes published data use, per dimension (a content constraint of role "actual")
    obs = Observation
    published_keys = session.execute(
        select(obs.member_state, obs.area_code, obs.indicator_code, obs.sex, obs.age, obs.urbanisation)
        .distinct()
        .where(published.published_filter())
    ).all()
    used: dict[str, set[str]] = {d: set() for d in sdmx.DIMENSIONS}
    for ms, area, ind, sex, age, urb in published_keys:
        for dim, code in zip(
            sdmx.DIMENSIONS, (ms, area or sdmx.NOT_APPLICABLE, rules.sdmx_id(ind), sex, age, urb), strict=True
        ):
            used[dim].add(code)

    members = published.member_state_names(session)
    area_cl = m.Codelist(
        id="CL_AREA",
        name={
            "en": "Areas: member states and their subnational areas",
            "id": "Wilayah: negara anggota dan wilayah subnasionalnya",
        },
        **meta,
    )
    for code, names in members.items():
        area_cl.append(m.Code(id=code, name=_names(names)))
    for code, member_state, name in session.execute(
        select(Area.code, Area.member_state, Area.name).order_by(Area.member_state, Area.code)
    ):
        parent = area_cl.get(member_state)  # an area is a child of its member state
        area_cl.append(m.Code(id=code, name={"en": name, "id": name}, parent=parent))
    area_cl.append(m.Code(id=sdmx.NOT_APPLICABLE, name=NOT_APPLICABLE))

    indicator_cl = m.Codelist(id="CL_INDICATOR", name={"en": "Indicators", "id": "Indikator"}, **meta)
    for row in session.scalars(select(Indicator).order_by(Indicator.code)):
        indicator_cl.append(
            m.Code(
                id=rules.sdmx_id(row.code),
                name=_names({"en": row.name_en, "id": row.name_id}),
                description=_names({"en": row.definition_en, "id": row.definition_id}),
                annotations=[m.Annotation(id=CODE_ANNOTATION, type=CODE_ANNOTATION, title=row.code)]
                + ([m.Annotation(id="UNIT", type="UNIT", title=row.unit)] if row.unit else []),
            )
        )
    # units by their code (``units.code``: spellings of one unit are one code), named as the
    # catalogue writes them and in Indonesian
    unit_cl: dict[str, Names] = {}
    for unit in session.scalars(
        select(Indicator.unit).where(Indicator.unit.is_not(None)).order_by(Indicator.code)
    ):
        if unit_codes.code(unit):
            unit_cl.setdefault(unit_codes.code(unit), {"en": unit, "id": terms.unit_name(unit, "id")})
    ages = sorted(used["AGE"] | {TOTAL}, key=lambda c: (c != TOTAL, c))
    codelists = [
        area_cl,
        indicator_cl,
        codelist("CL_SEX", {"en": "Sex", "id": "Jenis kelamin"}, SEX.items()),
        codelist("CL_AGE", {"en": "Age", "id": "Umur"}, ((a, age_name(a)) for a in ages)),
        codelist(
            "CL_URBANISATION",
            {"en": "Degree of urbanisation", "id": "Tingkat urbanisasi"},
            URBANISATION.items(),
        ),
        codelist("CL_OBS_STATUS", {"en": "Observation status", "id": "Status observasi"}, OBS_STATUS.items()),
        codelist(
            "CL_UNIT_MEASURE", {"en": "Units of measure", "id": "Satuan ukuran"}, sorted(unit_cl.items())
        ),
    ]
    by_id = {cl.id: cl for cl in codelists}
    concepts = m.ConceptScheme(
        id=CONCEPTS_ID,
        name={"en": "Concepts of the ASCC indicator data", "id": "Konsep data indikator ASCC"},
        **meta,
    )
    for concept_id, names in CONCEPTS.items():
        concepts.append(m.Concept(id=concept_id, name=names))
    dsd = sdmx.structure(
        name={"en": "ASCC indicator data", "id": "Data indikator ASCC"},
        maintainer=agency,
        concepts=concepts,
        codelists={component: by_id[cl] for component, cl in CODED.items()},
    )
    flow = m.DataflowDefinition(
        id=DATAFLOW_ID, name={"en": "ASCC indicators", "id": "Indikator ASCC"}, structure=dsd, **meta
    )
    region = common.CubeRegion(included=True)
    for dim in sdmx.DIMENSIONS:
        d = dsd.dimensions.get(dim)
        region.member[d] = m.MemberSelection(
            values_for=d, values=[m.MemberValue(value=v) for v in sorted(used[dim])]
        )
    constraint = m.ContentConstraint(
        id=CONSTRAINT_ID,
        name={"en": "Published data", "id": "Data yang dipublikasikan"},
        role=m.ConstraintRole(role=common.ConstraintRoleType.actual),
        content={flow},
        data_content_region=[region],
        **meta,
    )
    # an agency scheme is never final (SDMX 2.1 fixes isFinal="false" for it)
    agencies = common.AgencyScheme(
        id="AGENCIES",
        name={"en": "SDMX agency scheme"},
        version="1.0",
        maintainer=common.Agency(id="SDMX"),
        is_final=False,
        is_external_reference=False,
    )
    agencies.append(common.Agency(id=AGENCY, name=ASEAN_NAME))

    artefacts: dict[tuple[str, str], object] = {
        ("dataflow", flow.id): flow,
        ("datastructure", dsd.id): dsd,
        ("conceptscheme", concepts.id): concepts,
        ("contentconstraint", constraint.id): constraint,
        ("agencyscheme", agencies.id): agencies,
    }
    artefacts |= {("codelist", cl.id): cl for cl in codelists}
    children: dict[tuple[str, str], set[tuple[str, str]]] = {k: set() for k in artefacts}
    children[("dataflow", flow.id)] = {("datastructure", dsd.id)}
    children[("datastructure", dsd.id)] = {("conceptscheme", concepts.id)} | {("codelist", c) for c in by_id}
    children[("contentconstraint", constraint.id)] = {("dataflow", flow.id)}
    return Structures(artefacts, children)


def _stub(obj):
    """``detail=allstubs``, ``referencestubs``: an item scheme without its items, a constraint without
    its region; the dataflow and the data structure stay whole (they are small, and a client reads
    the constraint's region and the data through the structure's dimensions)."""
    from sdmx.model import common

    fields = {
        f: getattr(obj, f)
        for f in ("id", "name", "version", "maintainer", "is_final", "is_external_reference")
    }
    if isinstance(obj, common.ItemScheme):
        return type(obj)(**fields)
    if isinstance(obj, common.BaseConstraint):
        return type(obj)(**fields, role=obj.role, content=obj.content)
    return obj


def select_keys(structures: Structures, resource: str, agency: str, resource_id: str, version: str) -> list:
    """The keys of the artefacts a query names (404 when none)."""
    for name, part in (("agency", agency), ("id", resource_id), ("version", version)):
        if not _PART.match(part):
            raise BadRequest(f"{name} {part[:60]!r} is not an SDMX id, 'all' or 'latest'", parameter=name)
    if resource not in RESOURCES and resource != "*":  # *: every resource (SDMX-REST 2.0)
        raise NotFound(f"no {resource} here: this service has {', '.join(RESOURCES)}")
    ids = set(resource_id.split("+"))
    agencies = set(agency.split("+"))
    versions = set(version.split("+"))
    keys = [
        k
        for k, obj in structures.artefacts.items()
        if resource in (k[0], "*")
        and (ids & {"all", "*"} or k[1] in ids)
        and (agencies & {"all", "*"} or obj.maintainer.id in agencies)
        and (versions & {"all", "*", "latest", "~"} or str(obj.version) in versions)
    ]
    if not keys:
        raise NotFound(
            f"no {resource} {agency}/{resource_id}/{version}: this service maintains "
            f"{', '.join(k[1] for k in structures.artefacts if k[0] == resource)}"
        )
    return keys


def check_parameters(references: str | None, detail: str | None) -> tuple[str, str]:
    references = references or "none"
    detail = detail or "full"
    if references not in REFERENCES and references not in RESOURCES:
        raise BadRequest(
            f"references={references!r}: one of {', '.join(REFERENCES)} or a resource "
            f"({', '.join(RESOURCES)})",
            parameter="references",
        )
    if detail in DETAILS_NOT_DONE:
        raise NotImplementedHere(
            f"detail={detail!r} is not implemented here: {', '.join(DETAILS)}", parameter="detail"
        )
    if detail not in DETAILS:
        raise BadRequest(f"detail={detail!r}: one of {', '.join(DETAILS)}", parameter="detail")
    return references, detail


def selection(
    session: Session,
    *,
    resource: str,
    agency: str = "all",
    resource_id: str = "all",
    version: str = "latest",
    references: str | None = None,
    detail: str | None = None,
) -> tuple[Structures, list[tuple[tuple[str, str], object]]]:
    """The artefacts answering a structure query, in the message's order (those asked for, then
    those ``references`` adds), each whole or as its stub as ``detail`` says."""
    references, detail = check_parameters(references, detail)
    structures = build(session)
    asked = select_keys(structures, resource, agency, resource_id, version)
    extra: set[tuple[str, str]] = set()
    for key in asked:
        extra |= structures.referenced(key, references)
    items = []
    for key in [*asked, *sorted(extra - set(asked))]:
        obj = structures.artefacts[key]
        stub = detail == "allstubs" or (detail == "referencestubs" and key not in asked)
        items.append((key, _stub(obj) if stub else obj))
    return structures, items


def _message_id(now: dt.datetime) -> str:
    return f"ASCC{now:%Y%m%d%H%M%S}"


def query(session: Session, **params: str | None) -> bytes:
    """An SDMX-ML 2.1 structure message answering a structure query (see the module docstring;
    ``params`` are those of :func:`selection`)."""
    import sdmx as sdmx1
    from sdmx import message
    from sdmx.model import common

    _structures, items = selection(session, **params)
    now = dt.datetime.now(dt.UTC)
    msg = message.StructureMessage(
        header=message.Header(
            id=_message_id(now), sender=common.Agency(id=AGENCY), prepared=now.replace(microsecond=0)
        )
    )
    for key, obj in items:
        getattr(msg, RESOURCES[key[0]])[key[1]] = obj
    return sdmx1.to_xml(msg, pretty_print=True)


def query_json(session: Session, **params: str | None) -> bytes:
    """The same answer as :func:`query`, as an SDMX-JSON 2.0.0 structure message
    (``sdmx_structure_json``), written from the same objects."""
    structures, items = selection(session, **params)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return sdmx_structure_json.write(
        items,
        concepts=structures.artefacts[("conceptscheme", CONCEPTS_ID)],
        message_id=_message_id(now),
        prepared=now,
        sender=AGENCY,
    )


def error_message(status: int, text: str) -> bytes:
    """An SDMX-ML 2.1 error message (``sdmx1`` writes none with its text): code 100 no results, 140
    syntax error, 150 semantic error, 501 not implemented (SDMX-REST's codes for the HTTP status)."""
    code = {404: 100, 400: 140, 422: 150, 406: 406, 501: 501}.get(status, 500)
    root = etree.Element(etree.QName(MES, "Error"), nsmap={"mes": MES, "com": COM})
    item = etree.SubElement(root, etree.QName(MES, "ErrorMessage"), code=str(code))
    etree.SubElement(
        item, etree.QName(COM, "Text"), {"{http://www.w3.org/XML/1998/namespace}lang": "en"}
    ).text = text
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


XS = "http://www.w3.org/2001/XMLSchema"


def data_schema(session: Session, *, at_observation: str = "TIME_PERIOD") -> bytes:
    """The XML schema of structure-specific data of DSD_ASCC_IND (SDMX-ML 2.1 section 3A, part IV: the
    types a data structure derives from ``SDMXDataStructureSpecificBase.xsd``): in the namespace
    ``sdmx.data_namespace(at_observation)``, a data set of series (or, with ``AllDimensions``, of
    observations) whose dimensions and coded attributes take the codes of their codelists, OBS_VALUE
    a number, the text attributes any string. It imports the standard schemas by file name
    (``SDMXDataStructureSpecific.xsd``, ``SDMXCommon.xsd``), to be found next to it."""
    return _data_schema(build(session), at_observation=at_observation)


SCHEMA_MEDIA = "application/vnd.sdmx.schema+xml; version=2.1"


def schema_query(
    session: Session,
    *,
    context: str,
    agency: str,
    resource_id: str,
    version: str = "latest",
    at_observation: str | None = None,
) -> bytes:
    """SDMX-REST schema query ``schema/{context}/{agency}/{id}/{version}``: the XML schema of the
    structure-specific data of the dataflow or of its data structure (:func:`data_schema`); its
    imports name the standard schemas' files (``SDMXDataStructureSpecific.xsd``) next to it."""
    at = check_at_observation(at_observation)
    if context == "provisionagreement":
        raise NotImplementedHere(
            "schema/provisionagreement: no provision agreements here", parameter="context"
        )
    if context not in ("datastructure", "dataflow"):
        raise NotFound(f"schema/{context[:40]}: the contexts are datastructure and dataflow")
    structures = build(session)
    select_keys(structures, context, agency, resource_id, version)
    return _data_schema(structures, at_observation=at)


def _data_schema(structures: Structures, *, at_observation: str) -> bytes:
    namespace = sdmx.data_namespace(at_observation)
    common_ns, ss_ns = COM, sdmx.SS
    root = etree.Element(
        etree.QName(XS, "schema"),
        nsmap={"xs": XS, None: namespace, "ss": ss_ns, "common": common_ns},
        targetNamespace=namespace,
        elementFormDefault="qualified",
        attributeFormDefault="unqualified",
    )

    def el(parent, tag: str, **attrib: str):
        return etree.SubElement(parent, etree.QName(XS, tag), attrib)

    el(root, "import", namespace=ss_ns, schemaLocation="SDMXDataStructureSpecific.xsd")
    el(root, "import", namespace=common_ns, schemaLocation="SDMXCommon.xsd")
    for cl_id in sorted(set(CODED.values())):
        restriction = el(el(root, "simpleType", name=f"{cl_id}Type"), "restriction", base="common:IDType")
        for code in structures.artefacts[("codelist", cl_id)]:
            el(restriction, "enumeration", value=code.id)

    def restricted(name: str, base: str):
        content = el(el(root, "complexType", name=name), "complexContent")
        restriction = el(content, "restriction", base=base)
        return restriction, el(restriction, "sequence")

    def attribute(parent, component: str, use: str) -> None:
        if component in CODED:
            el(parent, "attribute", name=component, type=f"{CODED[component]}Type", use=use)
        elif component == "TIME_PERIOD":
            el(parent, "attribute", name=component, type="common:ObservationalTimePeriodType", use=use)
        elif component == "OBS_VALUE":
            el(parent, "attribute", name=component, type="xs:double", use=use)
        else:
            el(parent, "attribute", name=component, type="xs:string", use=use)

    flat = at_observation == sdmx.ALL_DIMENSIONS
    data_set, seq = restricted("DataSetType", "ss:DataSetType")
    el(seq, "element", ref="common:Annotations", minOccurs="0")
    el(
        seq,
        "element",
        name="DataProvider",
        type="common:DataProviderReferenceType",
        form="unqualified",
        minOccurs="0",
    )
    choice = el(seq, "choice", minOccurs="0")
    el(
        choice,
        "element",
        name="Obs" if flat else "Series",
        type="ObsType" if flat else "SeriesType",
        form="unqualified",
        maxOccurs="unbounded",
    )
    el(data_set, "attribute", name="REPORTING_YEAR_START_DAY", use="prohibited")
    if not flat:
        series, seq = restricted("SeriesType", "ss:SeriesType")
        el(seq, "element", ref="common:Annotations", minOccurs="0")
        el(
            seq,
            "element",
            name="Obs",
            type="ObsType",
            form="unqualified",
            minOccurs="0",
            maxOccurs="unbounded",
        )
        for dim in sdmx.DIMENSIONS:
            attribute(series, dim, "required")
        el(series, "attribute", name="TIME_PERIOD", use="prohibited")
        el(series, "attribute", name="REPORTING_YEAR_START_DAY", use="prohibited")
    obs, seq = restricted("ObsType", "ss:ObsType")
    el(seq, "element", ref="common:Annotations", minOccurs="0")
    el(obs, "attribute", name="type", use="prohibited")
    for dim in (*sdmx.DIMENSIONS, "TIME_PERIOD") if flat else ("TIME_PERIOD",):
        attribute(obs, dim, "required")
    el(obs, "attribute", name="REPORTING_YEAR_START_DAY", use="prohibited")
    attribute(obs, "OBS_VALUE", "optional")
    for a in sdmx.ATTRIBUTES:  # optional, even the mandatory status: detail=dataonly leaves attributes out
        attribute(obs, a, "optional")
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
