"""DT&V departure files: ``dtv_vertrek_YYYYMMDD.xml`` (``docs/reference/formats.md``).

Streamed with ``defusedxml.ElementTree.iterparse`` (read in chunks, finished elements removed
from the tree), with DTDs, entity declarations and external references forbidden: a file that
declares any, such as a "billion laughs" bomb or an external entity (XXE), is rejected whole,
as is XML that is not well formed or not UTF-8 (whatever its declaration says). The root
must be ``vertrekdossiers``; each ``gebeurtenis`` inside a ``dossier`` is one event of that
dossier's V-nummer. A row's line is the line its ``gebeurtenis`` element starts on: the tree
builder asks expat for it while the element is being opened. Other elements are ignored.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO, ClassVar
from xml.etree.ElementTree import Element, ParseError, TreeBuilder
from xml.parsers import expat

from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden
from defusedxml.ElementTree import DefusedXMLParser, iterparse

from ingest.adapters.base import (
    EventRow,
    ExtractRejected,
    Rejection,
    Row,
    RowError,
    check_choice,
    check_nationality,
    check_person_ref,
    excerpt,
    given_event_id,
    local_midnight,
    mask,
    parse_iso_date,
    require_text,
)

ROOT = "vertrekdossiers"
EVENTS = {
    "OVERDRACHT": "RETURN_CASE_OPENED",
    "VERTREK_ZELFSTANDIG": "DEPARTED_VOLUNTARY",
    "VERTREK_GEDWONGEN": "DEPARTED_FORCED",
    "VERTREK_MOB": "DEPARTED_UNVERIFIED",
    "AFSLUITING": "RETURN_CASE_CLOSED",
}
NO_ELEMENTS = expat.errors.codes[expat.errors.XML_ERROR_NO_ELEMENTS]


class _LineNumberingTreeBuilder(TreeBuilder):
    """A tree builder that notes the line each element starts on."""

    def __init__(self) -> None:
        super().__init__()
        self.expat: expat.XMLParserType | None = None
        self.lines: dict[Element, int] = {}

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        element = super().start(tag, attrs)
        # expat is still on the element's start tag while it calls us.
        self.lines[element] = self.expat.CurrentLineNumber if self.expat else 0
        return element


class DtvAdapter:
    """XML ``vertrekdossiers`` of ``dossier`` elements holding ``gebeurtenis`` elements."""

    partner: ClassVar[str] = "DTV"
    chain: ClassVar[str] = "NL"

    def parse(self, stream: BinaryIO) -> Iterator[Row]:
        builder = _LineNumberingTreeBuilder()
        # The document's own encoding declaration is overridden: the contract says UTF-8.
        parser = DefusedXMLParser(
            target=builder, encoding="utf-8",
            forbid_dtd=True, forbid_entities=True, forbid_external=True,
        )  # fmt: skip
        builder.expat = parser.parser
        try:
            events = iterparse(stream, events=("start", "end"), parser=parser)
            yield from _rows(events, builder.lines)
        except DefusedXmlException as err:
            raise ExtractRejected(
                f"line {parser.parser.CurrentLineNumber}: the file declares {_declared(err)}; "
                "DT&V files must have no DTD, entity declarations or external references"
            ) from None
        except ParseError as err:
            raise ExtractRejected(_not_well_formed(err)) from None


def _rows(events: Iterator[tuple[str, Element]], lines: dict[Element, int]) -> Iterator[Row]:
    """The rows of the parse events; the tree keeps only the path to the current element."""
    path: list[Element] = []
    for event, element in events:
        if event == "start":
            if not path and element.tag != ROOT:
                raise ExtractRejected(
                    f"line {lines[element]}: the root element is <{element.tag}>, expected <{ROOT}>"
                )
            path.append(element)
            continue
        path.pop()
        line = lines.pop(element)
        if element.tag == "gebeurtenis":
            yield _row(element, line, path)
        if path:
            path[-1].remove(element)


def _row(element: Element, line: int, path: list[Element]) -> Row:
    """The event of a ``gebeurtenis`` whose ancestors are ``path``, or its rejection."""
    dossier = path[-1] if len(path) == 2 and path[-1].tag == "dossier" else None
    vnummer = dossier.get("vnummer") if dossier is not None else None
    try:
        if dossier is None:
            raise RowError("dossier", "<gebeurtenis> is not directly inside a <dossier>")
        person_ref = check_person_ref("NL", vnummer, "vnummer")
        given = require_text(element.get("id"), "id", limit=100)
        return EventRow(
            line=line,
            person_ref=person_ref,
            source_event_id=given_event_id(given, person_ref),
            event_type=check_choice(element.get("soort"), EVENTS, "soort", "event"),
            occurred_at=local_midnight("NL", parse_iso_date(element.get("datum"), "datum")),
            destination=check_nationality(element.get("bestemming"), "bestemming"),
        )
    except RowError as err:
        return Rejection(line, err.field, err.reason, _excerpt(element, dossier))


def _excerpt(element: Element, dossier: Element | None) -> str:
    """The element as written, inside its dossier with the V-nummer masked."""
    attributes = "".join(f' {name}="{value}"' for name, value in element.attrib.items())
    text = f"<gebeurtenis{attributes}/>"
    if dossier is not None:
        text = f'<dossier vnummer="{mask(dossier.get("vnummer"))}">{text}'
    return excerpt(text)


def _declared(err: DefusedXmlException) -> str:
    """What the forbidden declaration was, for the reason."""
    if isinstance(err, DTDForbidden):
        return f"a DTD (<!DOCTYPE {err.name[:50]}>)"
    if isinstance(err, EntitiesForbidden):
        return f"an entity ({err.name[:50]})"
    return "an external reference"


def _not_well_formed(err: ParseError) -> str:
    line, column = err.position
    if err.code == NO_ELEMENTS and (line, column) == (1, 0):
        return f"the file is empty: expected <{ROOT}>"
    return f"line {line}, column {column}: not well-formed XML ({expat.ErrorString(err.code)})"
