"""Excerpts of rejected records mask every run of digits that could be a V- or SP-number."""

from __future__ import annotations

import io

import pytest

from ingest.adapters.base import Rejection, excerpt
from ingest.adapters.dtv import DtvAdapter
from tests.ingest.masking import IDENTIFIERS


@pytest.mark.parametrize("identifier", IDENTIFIERS)
@pytest.mark.parametrize("written", ["{}", "V{}", "DTV-{}", "{}abc", "sp{}x", "id_{}", "Z-{}-1"])
def test_an_excerpt_masks_digits_glued_to_letters_or_dashes(written: str, identifier: str) -> None:
    shown = excerpt(f"row: {written.format(identifier)};")
    assert identifier not in shown
    assert identifier[:-2] not in shown
    assert f"{'*' * (len(identifier) - 2)}{identifier[-2:]}" in shown


def test_an_excerpt_masks_digits_of_another_script() -> None:
    arabic_indic = "٣٠١٢٣٤٥٦٧٨"  # 3012345678
    assert arabic_indic[:-2] not in excerpt(f"vnummer={arabic_indic}")


def test_an_excerpt_keeps_short_numbers_readable() -> None:
    assert excerpt("Z2023-12 on 31-02-2023 at 10:15, 850 places") == (
        "Z2023-12 on 31-02-2023 at 10:15, 850 places"
    )


def test_a_dtv_rejection_masks_a_v_nummer_inside_an_event_id() -> None:
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<vertrekdossiers aanmaakdatum="2023-05-01">\n'
        '<dossier vnummer="3012345678">\n'
        '<gebeurtenis id="DTV-3012345678" soort="ONBEKEND" datum="2023-04-02"/>\n'
        "</dossier>\n</vertrekdossiers>\n"
    )
    [rejection] = list(DtvAdapter().parse(io.BytesIO(xml.encode())))
    assert isinstance(rejection, Rejection)
    assert "3012345678" not in rejection.excerpt
    assert 'id="DTV-********78"' in rejection.excerpt
