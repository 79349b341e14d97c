"""The DCAT-AP catalogue of the releases, as JSON-LD (DCAT-AP-NL where it fits).

One ``dcat:Dataset`` per release version, chain and theme (a theme's figures of one chain for
one month), each with two ``dcat:Distribution``: the CSV and the JSON file, with download URL,
media type, byte size and SHA-256 checksum. Every version stays listed: a correction is a new
dataset with ``owl:versionInfo`` and ``adms:versionNotes``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse

from opendata.files import CSV, LICENCE
from opendata.models import Release, ReleaseFile, Theme

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "spdx": "http://spdx.org/rdf/terms#",
    "adms": "http://www.w3.org/ns/adms#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
EU = "http://publications.europa.eu/resource/authority/"
# The EU data theme "Population and society"; in DCAT-AP-NL's own taxonomy (OWMS), migration.
THEMES = [
    EU + "data-theme/SOCI",
    "http://standaarden.overheid.nl/owms/terms/Migratie_en_integratie",
]
COUNTRY = {"NL": EU + "country/NLD", "BE": EU + "country/BEL"}
FILE_TYPE = {CSV: EU + "file-type/CSV", "application/json": EU + "file-type/JSON"}
IANA = "http://www.iana.org/assignments/media-types/"
THEME_TITLES = {
    Theme.ASYLUM_ADMISSION: ("Asieltoelating", "Asylum admission"),
    Theme.RECEPTION: ("Opvang", "Reception"),
    Theme.DEPARTURE: ("Vertrek", "Departure"),
}
CHAIN_TITLES = {"NL": ("Nederland", "the Netherlands"), "BE": ("België", "Belgium")}


def _texts(nl: str, en: str) -> list[dict[str, str]]:
    return [{"@value": nl, "@language": "nl"}, {"@value": en, "@language": "en"}]


def _typed(value: object, datatype: str) -> dict[str, str]:
    return {"@value": str(value), "@type": f"xsd:{datatype}"}


def absolute(path: str) -> str:
    """The public address of a path of the site (``SITE_URL``), as the catalogue names it."""
    return settings.SITE_URL + path


def download_path(file: ReleaseFile) -> str:
    """Where a release's file is downloaded."""
    release = file.release
    return reverse("opendata:file", args=[release.month, release.version, file.name])


def _publisher() -> dict[str, Any]:
    return {
        "@id": settings.OPEN_DATA_PUBLISHER_URI,
        "@type": "foaf:Agent",
        "foaf:name": settings.OPEN_DATA_PUBLISHER_NAME,
    }


def _distribution(file: ReleaseFile, issued: dict[str, str]) -> dict[str, Any]:
    url = absolute(download_path(file))
    return {
        "@id": url,
        "@type": "dcat:Distribution",
        "dct:title": file.name,
        "dcat:accessURL": {"@id": absolute(reverse("opendata:index"))},
        "dcat:downloadURL": {"@id": url},
        "dcat:mediaType": {"@id": IANA + file.media_type},
        "dct:format": {"@id": FILE_TYPE[file.media_type]},
        "dct:license": {"@id": LICENCE},
        "dct:issued": issued,
        "dcat:byteSize": _typed(file.byte_size, "nonNegativeInteger"),
        "spdx:checksum": {
            "@type": "spdx:Checksum",
            "spdx:algorithm": {"@id": "spdx:checksumAlgorithm_sha256"},
            "spdx:checksumValue": _typed(file.sha256, "hexBinary"),
        },
    }


def _datasets(release: Release) -> list[dict[str, Any]]:
    issued = _typed(release.published_at.isoformat(), "dateTime")
    by_table: dict[tuple[str, str], list[ReleaseFile]] = {}
    for file in release.files.all():
        by_table.setdefault((file.chain_id, file.theme), []).append(file)
    page = absolute(reverse("opendata:index"))
    datasets = []
    for (chain, theme), files in by_table.items():
        theme_nl, theme_en = THEME_TITLES[Theme(theme)]
        chain_nl, chain_en = CHAIN_TITLES[chain]
        dataset: dict[str, Any] = {
            "@id": f"{page}{release.month}/v{release.version}/{chain}-{theme}",
            "@type": "dcat:Dataset",
            "dct:identifier": f"{release.month}-v{release.version}-{chain}-{theme}",
            "dct:title": _texts(
                f"{theme_nl}, vreemdelingenketen {chain_nl}, {release.month}",
                f"{theme_en}, asylum and migration chain of {chain_en}, {release.month}",
            ),
            "dct:description": _texts(
                f"Maandcijfers {theme_nl.lower()} van de keten in {chain_nl}: aantallen "
                "(afgerond op 5), voorraden, medianen en aandelen, totaal, per spoor en waar "
                "veilig per nationaliteit.",
                f"Monthly figures on {theme_en.lower()} of the chain in {chain_en}: counts "
                "(rounded to 5), stocks, medians and shares, in total, per track and, where "
                "safe, per nationality.",
            ),
            "dct:publisher": {"@id": settings.OPEN_DATA_PUBLISHER_URI},
            "dcat:contactPoint": {
                "@type": "vcard:Organization",
                "vcard:fn": settings.OPEN_DATA_PUBLISHER_NAME,
                "vcard:hasEmail": {"@id": f"mailto:{settings.API_CONTACT_EMAIL}"},
            },
            "dcat:theme": [{"@id": uri} for uri in THEMES],
            "dcat:keyword": _texts(theme_nl.lower(), theme_en.lower()),
            "dct:spatial": {"@id": COUNTRY[chain]},
            "dct:temporal": {
                "@type": "dct:PeriodOfTime",
                "dcat:startDate": _typed(release.period_start.isoformat(), "date"),
                "dcat:endDate": _typed(release.period_end.isoformat(), "date"),
            },
            "dct:issued": issued,
            "dct:accessRights": {"@id": EU + "access-right/PUBLIC"},
            "dct:accrualPeriodicity": {"@id": EU + "frequency/MONTHLY"},
            "dcat:landingPage": {"@id": page},
            "owl:versionInfo": str(release.version),
            "dcat:distribution": [_distribution(file, issued) for file in files],
        }
        if release.change_note:
            dataset["adms:versionNotes"] = release.change_note
        datasets.append(dataset)
    return datasets


def catalog() -> dict[str, Any]:
    """The whole catalogue: every version of every release."""
    files = ReleaseFile.objects.defer("content").select_related("release")
    releases = Release.objects.prefetch_related(Prefetch("files", queryset=files))
    page = absolute(reverse("opendata:index"))
    return {
        "@context": CONTEXT,
        "@id": absolute(reverse("opendata:catalog")),
        "@type": "dcat:Catalog",
        "dct:title": _texts("Open data vreemdelingenketen", "Open data of the asylum chain"),
        "dct:description": _texts(
            "Maandelijkse cijfers over asieltoelating, opvang en vertrek in de "
            "vreemdelingenketens van Nederland en België; alleen geaggregeerde cijfers.",
            "Monthly figures on asylum admission, reception and departure in the asylum and "
            "migration chains of the Netherlands and Belgium; aggregates only.",
        ),
        "dct:publisher": _publisher(),
        "dct:license": {"@id": LICENCE},
        "dct:language": [{"@id": EU + "language/NLD"}, {"@id": EU + "language/ENG"}],
        "foaf:homepage": {"@id": page},
        "dcat:themeTaxonomy": {"@id": EU + "data-theme"},
        "dcat:dataset": [dataset for release in releases for dataset in _datasets(release)],
    }
