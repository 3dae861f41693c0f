"""The export formats, in a module light enough for the command line to import on every run."""

from __future__ import annotations

from dataclasses import dataclass


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
