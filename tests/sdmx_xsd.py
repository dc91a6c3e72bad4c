"""The official SDMX-ML 2.1 XML schemas (vendored in ``tests/data/sdmx-2.1-xsd``, see its README) and
validation of a message against them with lxml, offline: a structure-specific data message is
validated together with the schema its data structure derives (``sdmx_structure.data_schema``)."""

from __future__ import annotations

import functools
from pathlib import Path

from lxml import etree

XSD = Path(__file__).parent / "data" / "sdmx-2.1-xsd"
XS = "http://www.w3.org/2001/XMLSchema"
MES = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"


class _Vendored(etree.Resolver):
    """Resolves the standard schemas' file names (as a derived schema imports them) to the vendored
    copies; nothing is fetched from the network."""

    def resolve(self, system_url, public_id, context):
        name = system_url.rsplit("/", 1)[-1]
        if (XSD / name).is_file():
            return self.resolve_filename(str(XSD / name), context)
        return None


def _parser() -> etree.XMLParser:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_Vendored())
    return parser


@functools.cache
def message_schema() -> etree.XMLSchema:
    """SDMXMessage.xsd: every SDMX-ML 2.1 message (structure, generic data, error)."""
    return etree.XMLSchema(etree.parse(str(XSD / "SDMXMessage.xsd"), _parser()))


def with_data_schema(derived: bytes) -> etree.XMLSchema:
    """A data structure's derived schema (structure-specific data), served by the platform, together
    with SDMXMessage.xsd: the schema of a structure-specific data message."""
    doc = etree.fromstring(derived, _parser())
    etree.SubElement(doc, etree.QName(XS, "import"), namespace=MES, schemaLocation="SDMXMessage.xsd")
    doc.insert(0, doc[-1])  # imports come first
    return etree.XMLSchema(etree.ElementTree(doc))


def errors(schema: etree.XMLSchema, xml: bytes) -> list[str]:
    """The schema's messages about ``xml`` (none: valid)."""
    doc = etree.ElementTree(etree.fromstring(xml, etree.XMLParser(no_network=True, resolve_entities=False)))
    if schema.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


JSON_SCHEMAS = Path(__file__).parent / "data" / "sdmx-json"


@functools.cache
def json_validator(version: str):
    """The official SDMX-JSON data message schema of ``version`` (``1.0`` or ``2.0.0``, vendored in
    ``tests/data/sdmx-json``), as a JSON Schema draft 4 validator that checks formats too."""
    import json

    import jsonschema_rs

    schema = json.loads((JSON_SCHEMAS / f"sdmx-json-data-schema-{version}.json").read_text(encoding="utf-8"))
    return jsonschema_rs.Draft4Validator(schema, validate_formats=True)


def json_errors(version: str, document) -> list[str]:
    return [
        f"{list(e.instance_path)}: {e.message[:300]}" for e in json_validator(version).iter_errors(document)
    ]


@functools.cache
def structure_json_validator():
    """The official SDMX-JSON 2.0.0 structure message schema (vendored in ``tests/data/sdmx-json``).
    It uses ``const`` (JSON Schema draft 6), so it is read as draft 7, formats checked."""
    import json

    import jsonschema_rs

    path = JSON_SCHEMAS / "sdmx-json-structure-schema-2.0.0.json"
    return jsonschema_rs.Draft7Validator(json.loads(path.read_text(encoding="utf-8")), validate_formats=True)


def structure_json_errors(document) -> list[str]:
    return [
        f"{list(e.instance_path)}: {e.message[:300]}"
        for e in structure_json_validator().iter_errors(document)
    ]
