"""Exports of a view: CSV, GeoJSON, KML and vCard here; the PDF handout and PNG map elsewhere.

Each format keeps every value as published (nothing is dropped) and keeps it inert where the
format has active content:
- CSV (RFC 4180, CRLF, UTF-8 with a byte-order mark so spreadsheets detect the encoding): text
  cells that a spreadsheet would run as a formula get a leading apostrophe.
- GeoJSON (RFC 7946): coordinates are [longitude, latitude]; organizations without a point keep
  `"geometry": null`, as the RFC allows.
- KML 2.2: Google Earth renders `<description>` as HTML, so data in it is HTML-escaped, and its
  links are only those that passed the allow-list. Raw values travel in `<ExtendedData>`.
  XML 1.0 cannot hold some characters at all (most control characters, U+FFFE, U+FFFF, lone
  surrogates): each is replaced by U+FFFD, visibly, and the placemark says so. Line breaks
  are written as LF, which is what an XML parser gives back for CR and CRLF anyway.
- vCard 4.0 (RFC 6350): text escaped per §3.4, lines folded at 75 octets; a phone, email or
  website that is not valid goes into NOTE rather than into a property that expects a URI.
  Control characters other than tab and line breaks are not allowed in a vCard: each becomes
  U+FFFD and the card's NOTE says so. A comma in a URI value is escaped (`\\,`), because
  readers such as vobject split URL and TEL values on a bare comma.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from atlas.errors import ExportError
from atlas.ingest import contacts
from atlas.ingest.quality import FLAGS
from atlas.ingest.tags import focus_label
from atlas.model import Organization
from atlas.regions import region_name
from atlas.text import neutralize

if TYPE_CHECKING:  # the command line imports FORMATS on every run; pandas stays out of that
    from atlas.directory.view import View


@dataclass(frozen=True)
class ExportFormat:
    code: str
    label: str
    mime: str
    extension: str


FORMATS: dict[str, ExportFormat] = {f.code: f for f in (
    ExportFormat("csv", "Spreadsheet (CSV)", "text/csv", "csv"),
    ExportFormat("geojson", "GeoJSON (GIS tools)", "application/geo+json", "geojson"),
    ExportFormat("kml", "KML (Google Earth, My Maps)", "application/vnd.google-earth.kml+xml", "kml"),
    ExportFormat("vcf", "Contacts (vCard)", "text/vcard", "vcf"),
    ExportFormat("pdf", "Printable handout (PDF)", "application/pdf", "pdf"),
    ExportFormat("png", "Map image for slides (PNG)", "image/png", "png"),
)}


def _focus_labels(org: Organization) -> list[str]:
    return [focus_label(f) for f in org.focus]


def _reviewed(view: View) -> str:
    return view.page.reviewed_on.isoformat() if view.page.reviewed_on is not None else "an unknown date"


REPLACEMENT = "\ufffd"
UNWRITABLE_NOTE = "Some characters of this listing cannot be written in this format and are shown as \ufffd."


def _data_notes(org: Organization) -> list[str]:
    return [FLAGS[code].title for code in org.quality_flags if code in FLAGS]


def filename(view: View, fmt: str) -> str:
    """A file name that says what is inside: dystonia-atlas-torticollis-groups-in-california.csv"""
    slug = re.sub(r"[^a-z0-9]+", "-", view.title.lower()).strip("-")[:80].rstrip("-") or "view"
    return f"dystonia-atlas-{slug}.{FORMATS[fmt].extension}"


# --- CSV --------------------------------------------------------------------------------

CSV_COLUMNS = [
    "name", "focus", "street", "city", "state", "postal_code", "country", "phone", "toll_free", "fax",
    "email", "website", "service_area", "distance_miles", "latitude", "longitude", "location_precision",
    "data_notes", "id",
]


def to_csv(view: View) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(CSV_COLUMNS)
    for org in view.organizations:
        text = {
            "name": org.name, "focus": "; ".join(_focus_labels(org)), "street": org.street, "city": org.city,
            "state": org.state, "postal_code": org.postal_code, "country": org.country, "phone": org.phone,
            "toll_free": org.toll_free, "fax": org.fax, "email": org.email, "website": org.website,
            "service_area": org.service_area, "location_precision": org.location_precision,
            "data_notes": "; ".join(_data_notes(org)), "id": org.id,
        }
        numbers = {
            "distance_miles": view.distances_mi.get(org.id),
            "latitude": org.latitude, "longitude": org.longitude,
        }
        writer.writerow([neutralize(text[c]) if c in text else ("" if numbers[c] is None else f"{numbers[c]:g}")
                         for c in CSV_COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# --- GeoJSON ----------------------------------------------------------------------------

def _properties(view: View, org: Organization) -> dict:
    return {
        "id": org.id, "name": org.name, "focus": list(org.focus), "focus_labels": _focus_labels(org),
        "address": org.address_lines, "street": org.street, "city": org.city, "state": org.state,
        "postal_code": org.postal_code, "country": org.country, "phone": org.phone, "toll_free": org.toll_free,
        "fax": org.fax, "email": org.email, "website": org.website, "service_area": org.service_area,
        "location_precision": org.location_precision, "quality_flags": list(org.quality_flags),
        "distance_miles": view.distances_mi.get(org.id),
    }


def to_geojson(view: View) -> bytes:
    features = []
    for org in view.organizations:
        geometry = ({"type": "Point", "coordinates": [round(org.longitude, 6), round(org.latitude, 6)]}
                    if org.has_point else None)
        features.append({"type": "Feature", "id": org.id, "geometry": geometry, "properties": _properties(view, org)})
    document = {
        "type": "FeatureCollection",
        "title": view.title,
        "source": view.page.source,
        "reviewed_on": view.page.reviewed_on.isoformat() if view.page.reviewed_on is not None else None,
        "features": features,
    }
    points = [f["geometry"]["coordinates"] for f in features if f["geometry"]]
    if points:
        lons, lats = [p[0] for p in points], [p[1] for p in points]
        document["bbox"] = [min(lons), min(lats), max(lons), max(lats)]
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


# --- KML --------------------------------------------------------------------------------

KML_NS = "http://www.opengis.net/kml/2.2"
_KML_COLOURS = {  # KML colours are aabbggrr
    "torticollis": "ff009fe6", "blepharospasm": "ffe9b456", "speech": "ff739e00", "general": "ffa779cc",
}


def _description_html(view: View, org: Organization) -> str:
    """The balloon text: every value HTML-escaped; links only from the allow-list."""
    lines = [html.escape(" · ".join(_focus_labels(org)))]
    lines += [html.escape(line) for line in org.address_lines]
    for label, value, href in (("Phone", org.phone, contacts.tel_link(org.phone) if org.phone else None),
                               ("Toll-free", org.toll_free, contacts.tel_link(org.toll_free) if org.toll_free else None),
                               ("Fax", org.fax, None),
                               ("Email", org.email, contacts.mailto_link(org.email) if org.email else None),
                               ("Website", org.website, contacts.website_link(org.website) if org.website else None)):
        if value:
            shown = html.escape(value)
            lines.append(f"{label}: " + (f'<a href="{html.escape(href)}">{shown}</a>' if href else shown))
    if org.id in view.distances_mi:
        lines.append(f"{view.distances_mi[org.id]:,.1f} miles away")
    for note in _data_notes(org):
        lines.append(f"Data note: {html.escape(note)}")
    return "<br>".join(lines)


# Characters XML 1.0 allows (§2.2); everything else cannot be written, not even as a reference.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: str) -> str:
    """Text an XML 1.0 document can hold: line breaks as LF, unwritable characters as U+FFFD."""
    return _NOT_XML.sub(REPLACEMENT, value.replace("\r\n", "\n").replace("\r", "\n"))


def _make_xml_safe(element: ET.Element) -> bool:
    """Make every text and attribute under `element` writable; True if a character was replaced."""
    replaced = False
    for node in element.iter():
        for name in ("text", "tail"):
            value = getattr(node, name)
            if value:
                replaced |= bool(_NOT_XML.search(value))
                setattr(node, name, xml_text(value))
        for key, value in node.attrib.items():
            replaced |= bool(_NOT_XML.search(value))
            node.set(key, xml_text(value))
    return replaced


def to_kml(view: View) -> bytes:
    ET.register_namespace("", KML_NS)
    q = lambda tag: f"{{{KML_NS}}}{tag}"  # noqa: E731
    kml = ET.Element(q("kml"))
    document = ET.SubElement(kml, q("Document"))
    ET.SubElement(document, q("name")).text = view.title
    document_description = ET.SubElement(document, q("description"))
    document_description.text = html.escape(
        f"Source: {view.page.source}. Contact details as of {_reviewed(view)}; confirm before use.")
    for code, colour in _KML_COLOURS.items():
        style = ET.SubElement(document, q("Style"), id=f"focus-{code}")
        icon_style = ET.SubElement(style, q("IconStyle"))
        ET.SubElement(icon_style, q("color")).text = colour
    for org in view.organizations:
        placemark = ET.SubElement(document, q("Placemark"), id=org.id)
        ET.SubElement(placemark, q("name")).text = org.name
        ET.SubElement(placemark, q("address")).text = org.one_line_address
        description = ET.SubElement(placemark, q("description"))
        description.text = _description_html(view, org)
        first = next((f for f in org.focus if f in _KML_COLOURS), "general")
        ET.SubElement(placemark, q("styleUrl")).text = f"#focus-{first}"
        extended = ET.SubElement(placemark, q("ExtendedData"))
        for key, value in _properties(view, org).items():
            if isinstance(value, list):
                value = "; ".join(value)
            data = ET.SubElement(extended, q("Data"), name=key)
            ET.SubElement(data, q("value")).text = "" if value is None else str(value)
        if org.has_point:
            point = ET.SubElement(placemark, q("Point"))
            ET.SubElement(point, q("coordinates")).text = f"{org.longitude:.6f},{org.latitude:.6f},0"
        if _make_xml_safe(placemark):
            description.text += "<br>" + html.escape(UNWRITABLE_NOTE)
            note = ET.SubElement(extended, q("Data"), name="export_note")
            ET.SubElement(note, q("value")).text = UNWRITABLE_NOTE
    if _make_xml_safe(document):
        document_description.text += " " + html.escape(UNWRITABLE_NOTE.replace("this listing", "this file"))
    ET.indent(kml)
    return ET.tostring(kml, encoding="utf-8", xml_declaration=True) + b"\n"


# --- vCard ------------------------------------------------------------------------------

# RFC 6350 §3.3: a value is WSP, non-ASCII or visible ASCII; line breaks travel as "\\n".
_NOT_VCARD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def vcard_text(text: str) -> str:
    """Text a vCard can hold: control characters it cannot carry become U+FFFD."""
    return _NOT_VCARD.sub(REPLACEMENT, text)


def vcard_escape(text: str) -> str:
    """RFC 6350 §3.4: backslash, comma, semicolon and newline in TEXT values."""
    return (vcard_text(text).replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def vcard_uri(uri: str) -> str:
    """A URI value (URL, TEL): its commas escaped, since vobject and others split a value there."""
    return uri.replace(",", "\\,")


def fold(line: str, limit: int = 75) -> str:
    """RFC 6350 §3.2: lines longer than 75 octets continue after CRLF and one space,
    never splitting a UTF-8 character."""
    parts, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        budget = limit if not parts else limit - 1
        if size + width > budget:
            parts.append(current)
            current, size = "", 0
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def _uri(link: Callable[[str], str | None]) -> Callable[[str], str | None]:
    return lambda value: (uri := link(value)) and vcard_uri(uri)


def _vcard(view: View, org: Organization) -> list[str]:
    lines = ["BEGIN:VCARD", "VERSION:4.0", "KIND:org",
             f"UID:urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'dystonia-atlas:' + org.id)}",
             f"FN:{vcard_escape(org.name)}", f"ORG:{vcard_escape(org.name)}"]
    if org.street or org.locality:
        street = "\n".join(line.strip() for line in org.street.split(";") if line.strip())
        country = {"US": "USA", "CA": "Canada"}.get(org.country, org.country)
        parts = ["", "", street, org.city, region_name(org.state) if org.state else "", org.postal_code, country]
        lines.append("ADR;TYPE=work:" + ";".join(vcard_escape(p) for p in parts))
    # (property, label, value, check): check gives the value a property may hold, or None when the
    # published value is not valid; then it goes into NOTE as written instead.
    contact_properties = (
        ("TEL;VALUE=uri;TYPE=voice,work", "Phone", org.phone, _uri(contacts.tel_link)),
        ("TEL;VALUE=uri;TYPE=voice,work", "Phone", org.toll_free, _uri(contacts.tel_link)),
        ("TEL;VALUE=uri;TYPE=fax,work", "Fax", org.fax, _uri(contacts.tel_link)),
        ("EMAIL;TYPE=work", "Email", org.email, lambda v: (e := contacts.normalize_email(v)) and vcard_escape(e)),
        ("URL", "Website", org.website, _uri(contacts.website_link)),
    )
    unusable = []
    for prop, label, value, check in contact_properties:
        if value:
            checked = check(value)
            if checked:
                lines.append(f"{prop}:{checked}")
            else:
                unusable.append(f"{label} as published: {value}")
    if org.has_point:
        lines.append(f"GEO:geo:{org.latitude:.6f},{org.longitude:.6f}")
    if org.focus:
        lines.append("CATEGORIES:" + ",".join(vcard_escape(label) for label in _focus_labels(org)))
    note = [f"From {view.page.source or 'the published page'}, last reviewed {_reviewed(view)}; "
            "confirm before use.", *unusable, *(f"Data note: {n}" for n in _data_notes(org))]
    if any(_NOT_VCARD.search(text) for text in (org.name, org.street, org.city, org.state, org.postal_code, org.country, *note)):
        note.append(UNWRITABLE_NOTE)
    lines.append("NOTE:" + vcard_escape("\n".join(note)))
    lines += ["PRODID:-//Dystonia Atlas//EN", "END:VCARD"]
    return lines


def to_vcard(view: View) -> bytes:
    lines = [fold(line) for org in view.organizations for line in _vcard(view, org)]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


# --- every format -----------------------------------------------------------------------

def render(view: View, fmt: str, *, url: str) -> bytes:
    """The bytes of `view` in `fmt`; `url` is the link to the view (for the handout's QR code)."""
    if fmt == "csv":
        return to_csv(view)
    if fmt == "geojson":
        return to_geojson(view)
    if fmt == "kml":
        return to_kml(view)
    if fmt == "vcf":
        return to_vcard(view)
    if fmt == "pdf":
        from atlas.outputs.handout import render_handout
        return render_handout(view, url=url)
    if fmt == "png":
        from atlas.outputs.staticmap import render_map_png
        return render_map_png(view)
    raise ExportError(f"unknown export format {fmt!r}; choose from {', '.join(FORMATS)}")
