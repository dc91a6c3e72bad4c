"""SDMX-JSON 2.0.0 structure messages (``application/vnd.sdmx.structure+json;version=2.0.0``) written
from the same ``sdmx1`` information-model objects as the SDMX-ML 2.1 ones (``sdmx_structure.build``):
no second read of the catalogue.

SDMX-JSON 2.0 carries the SDMX 3.0 information model, so a few things are named as SDMX 3.0 names
them: the content constraint is a ``dataConstraints`` entry (role ``Actual``, attached to the
dataflow), references are URNs, the attributes' relationship to the measure is ``observation``,
``conditional`` usage is ``optional``. Names are ``name`` (English) with ``names`` in every language
recorded; the message's ``contentLanguages`` are ``en`` and ``id``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

MEDIA = "application/vnd.sdmx.structure+json; version=2.0.0"
SCHEMA = (
    "https://raw.githubusercontent.com/sdmx-twg/sdmx-json/v2.0.0/structure-message/tools/schemas/"
    "2.0.0/sdmx-json-structure-schema.json"
)
#: SDMX-JSON collection and SDMX 3.0 URN class of each SDMX-REST resource
COLLECTIONS = {
    "dataflow": ("dataflows", "datastructure.Dataflow"),
    "datastructure": ("dataStructures", "datastructure.DataStructure"),
    "codelist": ("codelists", "codelist.Codelist"),
    "conceptscheme": ("conceptSchemes", "conceptscheme.ConceptScheme"),
    "contentconstraint": ("dataConstraints", "registry.DataConstraint"),
    "agencyscheme": ("agencySchemes", "base.AgencyScheme"),
}
LANGUAGES = ("en", "id")


def urn(cls: str, obj: Any, item: str | None = None) -> str:
    """``urn:sdmx:org.sdmx.infomodel.{cls}=AGENCY:ID(VERSION)[.ITEM]``."""
    tail = f".{item}" if item else ""
    return f"urn:sdmx:org.sdmx.infomodel.{cls}={obj.maintainer.id}:{obj.id}({obj.version}){tail}"


def _names(obj: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field, one, many in (("name", "name", "names"), ("description", "description", "descriptions")):
        texts = {lang: text for lang, text in getattr(obj, field).localizations.items() if text}
        if texts:
            out[one] = texts.get("en") or next(iter(texts.values()))
            out[many] = texts
    return out


def _annotations(obj: Any) -> dict[str, Any]:
    notes = [
        {k: v for k, v in (("id", a.id), ("title", a.title), ("type", a.type)) if v}
        for a in getattr(obj, "annotations", [])
    ]
    return {"annotations": notes} if notes else {}


def _nameable(obj: Any) -> dict[str, Any]:
    return {"id": obj.id} | _names(obj) | _annotations(obj)


def _maintainable(obj: Any) -> dict[str, Any]:
    out = _nameable(obj) | {"version": str(obj.version), "agencyID": obj.maintainer.id}
    if obj.is_external_reference is not None:
        out["isExternalReference"] = bool(obj.is_external_reference)
    out.setdefault("name", obj.id)  # the schema requires a name
    return out


def _representation(component: Any) -> dict[str, Any]:
    rep = component.local_representation
    if rep is None:
        return {}
    if rep.enumerated is not None:
        return {"localRepresentation": {"enumeration": urn("codelist.Codelist", rep.enumerated)}}
    for facet in rep.non_enumerated or []:
        if facet.value_type is not None:
            name = facet.value_type.name
            return {"localRepresentation": {"format": {"dataType": name[0].upper() + name[1:]}}}
    return {}


def _concept(component: Any, concepts: Any) -> str:
    return urn("conceptscheme.Concept", concepts, component.concept_identity.id)


def _data_structure(dsd: Any, concepts: Any) -> dict[str, Any]:
    from sdmx.model import common
    from sdmx.model import v21 as m

    dimensions, time = [], None
    for position, d in enumerate(dsd.dimensions.components):
        entry = {"id": d.id, "conceptIdentity": _concept(d, concepts)} | _representation(d)
        if isinstance(d, m.TimeDimension):
            time = entry
        else:
            dimensions.append({"position": position} | entry)
    attributes = []
    for a in dsd.attributes.components:
        relation: dict[str, Any] = {"observation": {}}
        if isinstance(a.related_to, m.DimensionRelationship):
            relation = {"dimensions": [d.id for d in a.related_to.dimensions]}
        elif not isinstance(a.related_to, m.PrimaryMeasureRelationship):
            relation = {"dataflow": {}}
        attributes.append(
            {
                "id": a.id,
                "usage": "mandatory" if a.usage_status == common.UsageStatus.mandatory else "optional",
                "attributeRelationship": relation,
                "conceptIdentity": _concept(a, concepts),
            }
            | _representation(a)
        )
    measures = [
        {"id": x.id, "conceptIdentity": _concept(x, concepts)} | _representation(x)
        for x in dsd.measures.components
    ]
    components: dict[str, Any] = {"dimensionList": {"id": "DimensionDescriptor", "dimensions": dimensions}}
    if time:
        components["dimensionList"]["timeDimension"] = time
    if attributes:
        components["attributeList"] = {"id": "AttributeDescriptor", "attributes": attributes}
    if measures:
        components["measureList"] = {"id": "MeasureDescriptor", "measures": measures}
    return _maintainable(dsd) | {"dataStructureComponents": components}


def _items(scheme: Any, key: str) -> dict[str, Any]:
    items = []
    for item in scheme:
        entry = _nameable(item)
        parent = getattr(item, "parent", None)
        if parent is not None and parent is not scheme and getattr(parent, "id", None):
            entry["parent"] = parent.id
        items.append(entry)
    return {key: items} if items else {}


def _constraint(constraint: Any) -> dict[str, Any]:
    out = _maintainable(constraint) | {
        "role": "Actual" if constraint.role.role.name == "actual" else "Allowed",
        "constraintAttachment": {
            "dataflows": [urn("datastructure.Dataflow", flow) for flow in constraint.content]
        },
    }
    regions = []
    for region in constraint.data_content_region:
        keys = [
            {"id": dim.id, "values": [{"value": v.value} for v in selection.values]}
            for dim, selection in region.member.items()
            if selection.values
        ]
        if keys:
            regions.append({"include": bool(region.included), "keyValues": keys})
    if regions:
        out["cubeRegions"] = regions
    return out


def artefact(resource: str, obj: Any, concepts: Any) -> dict[str, Any]:
    """One artefact as its SDMX-JSON 2.0 object."""
    if resource == "dataflow":
        return _maintainable(obj) | {"structure": urn("datastructure.DataStructure", obj.structure)}
    if resource == "datastructure":
        return _data_structure(obj, concepts)
    if resource == "codelist":
        return _maintainable(obj) | _items(obj, "codes")
    if resource == "conceptscheme":
        return _maintainable(obj) | _items(obj, "concepts")
    if resource == "contentconstraint":
        return _constraint(obj)
    if resource == "agencyscheme":
        return _maintainable(obj) | {"version": "1.0"} | _items(obj, "agencies")
    raise ValueError(f"no SDMX-JSON writer for {resource}")


def write(
    items: list[tuple[tuple[str, str], Any]],
    *,
    concepts: Any,
    message_id: str,
    prepared: dt.datetime,
    sender: str,
) -> bytes:
    """The structure message of ``items`` ((resource, id), artefact), in the order given."""
    data: dict[str, list[dict[str, Any]]] = {}
    for (resource, _id), obj in items:
        data.setdefault(COLLECTIONS[resource][0], []).append(artefact(resource, obj, concepts))
    document = {
        "meta": {
            "schema": SCHEMA,
            "id": message_id,
            "test": False,
            "prepared": prepared.isoformat().replace("+00:00", "Z"),
            "contentLanguages": list(LANGUAGES),
            "sender": {"id": sender},
        },
        "data": data,
    }
    return json.dumps(document, ensure_ascii=False).encode()
